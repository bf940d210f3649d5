"""The notify step: a signed webhook, or an internal email to the contact's owner.

Both run under the executor's exactly-once protocol: the caller has committed a message row
under the step's key first; its uid travels as the webhook's ``Idempotency-Key`` (and the
email's message id), so a retry after a crash is recognisable on the receiving side.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from jinja2 import StrictUndefined
from markupsafe import escape

from nurture.delivery.crm import sign
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.sandbox import BoundedSandbox, one_line
from nurture.domain.steps import NotifyStep
from nurture.engine.runtime import Runtime
from nurture.errors import ProviderError, ProviderRejected, TemplateError

SIGNATURE_HEADER = "X-Nurture-Signature"
_text = BoundedSandbox(undefined=StrictUndefined, autoescape=False)


def post_webhook(rt: Runtime, step: NotifyStep, uid: str, payload: dict[str, Any]) -> str:
    """POST ``payload`` as JSON with an HMAC-SHA256 signature.

    A 4xx is a refusal for good (ProviderRejected: the step fails at once); a 5xx, a
    redirect or a timeout is ProviderError, retried with backoff.
    """
    assert step.webhook is not None
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": uid,
        SIGNATURE_HEADER: sign(rt.webhook_secret, body),
    }
    client = rt.http or httpx.Client(timeout=10)
    try:
        response = client.post(step.webhook, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise ProviderError(f"webhook {step.webhook}: {exc}") from exc
    finally:
        if rt.http is None:
            client.close()
    if 400 <= response.status_code < 500:
        raise ProviderRejected(f"webhook {step.webhook}: HTTP {response.status_code}")
    if response.status_code >= 300:
        raise ProviderError(f"webhook {step.webhook}: HTTP {response.status_code}")
    return f"webhook:{response.status_code}"


def owner_email(
    rt: Runtime, step: NotifyStep, uid: str, owner: str, context: dict[str, Any], journey: str
) -> OutgoingEmail:
    """The internal email to ``owner``; raise TemplateError when it cannot be rendered."""
    assert step.owner_subject is not None
    part = f"notify step {step.id}, subject"
    try:
        subject = " ".join(_text.render(_text.from_string(step.owner_subject), context).split())
        part = f"notify step {step.id}, message"
        text = _text.render(_text.from_string(step.message), context)
    except Exception as exc:  # whatever the template does wrong fails this step only
        raise TemplateError(
            one_line(exc, lambda f: part if f == "<template>" else None, part)
        ) from exc
    sender = rt.workspace.sender
    return OutgoingEmail(
        message_uid=uid,
        to=owner,
        from_email=sender.from_email,
        from_name=sender.from_name,
        subject=subject,
        html=f"<pre>{escape(text)}</pre>",
        text=text.strip() + "\n",
        journey=journey,
        step=step.id,
    )
