"""SendGrid's v3 mail send, through the official client.

Our message uid travels as custom_args and a header (with the journey and step: ids only,
never personal data) and is sent as the request's ``Idempotency-Key``. Inside one send, a
429 or 5xx (or a dropped connection) is retried with exponential backoff, honouring
``Retry-After``, a bounded number of times; once SendGrid answered 2xx nothing is sent again.
A 4xx is final: :class:`ProviderRejected`, which the executor records on the message. A send
still failing after the retries raises :class:`ProviderError`, and the step is retried later
under the same message uid.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Category,
    ClickTracking,
    CustomArg,
    From,
    Header,
    Mail,
    MailSettings,
    OpenTracking,
    ReplyTo,
    SubscriptionTracking,
    To,
    TrackingSettings,
)
from sendgrid.helpers.mail.sandbox_mode import SandBoxMode

from nurture.clock import Clock, SystemClock
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.webhooks.sendgrid import JOURNEY_ARG, MESSAGE_ARG, STEP_ARG
from nurture.errors import ProviderError, ProviderRejected

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class SendGridProvider:
    name = "sendgrid"

    def __init__(
        self,
        api_key: str,
        *,
        host: str = "https://api.sendgrid.com",
        sandbox: bool = False,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock | None = None,
    ) -> None:
        self._api = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self._api.client.timeout = timeout
        self.sandbox = sandbox
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self.clock = clock or SystemClock()

    def request_body(self, email: OutgoingEmail) -> dict[str, Any]:
        """The JSON body of the mail-send request for ``email``."""
        mail = Mail(
            from_email=From(email.from_email, email.from_name),
            to_emails=To(email.to),
            subject=email.subject,
            plain_text_content=email.text,
            html_content=email.html,
        )
        mail.custom_arg = [
            CustomArg(MESSAGE_ARG, email.message_uid),
            CustomArg(JOURNEY_ARG, email.journey),
            CustomArg(STEP_ARG, email.step),
        ]
        mail.category = [Category(email.journey)] if email.journey else []
        headers = {**email.trace_headers, **email.headers}
        # SendGrid reserves Reply-To as a header: it takes it as a field of its own.
        reply_to = headers.pop("Reply-To", None)
        if reply_to:
            mail.reply_to = ReplyTo(reply_to)
        headers["Date"] = format_datetime(self.clock.now())
        headers["Message-ID"] = email.message_id
        mail.header = [Header(k, v) for k, v in headers.items()]
        # Links and the open pixel are already ours (signed); unsubscribe is ours too.
        mail.tracking_settings = TrackingSettings(
            click_tracking=ClickTracking(False, False),
            open_tracking=OpenTracking(False),
            subscription_tracking=SubscriptionTracking(False),
        )
        mail.mail_settings = MailSettings(sandbox_mode=SandBoxMode(self.sandbox))
        body: dict[str, Any] = mail.get()
        return body

    def send(self, email: OutgoingEmail) -> str:
        body = self.request_body(email)
        headers = {"Idempotency-Key": email.message_uid}
        problem = last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                self._sleep(self._wait(attempt, problem))
            try:
                response = self._api.client.mail.send.post(
                    request_body=body, request_headers=headers
                )
            except HTTPError as exc:
                detail = _text(exc.body)
                if exc.status_code not in RETRYABLE:
                    raise ProviderRejected(
                        f"SendGrid refused the email ({exc.status_code}): {detail}"
                    ) from None
                problem = _retry_after(exc.headers)
                last = f"SendGrid answered {exc.status_code}: {detail}"
                continue
            except (URLError, TimeoutError, ConnectionError) as exc:
                problem, last = "", f"SendGrid unreachable: {exc}"
                continue
            return str(_header(response.headers, "X-Message-Id") or email.message_uid)
        raise ProviderError(f"{last} (gave up after {self.max_retries + 1} attempts)")

    def _wait(self, attempt: int, retry_after: str) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.max_wait)
            except ValueError:
                pass
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_wait))


def _retry_after(headers: Any) -> str:
    return str(_header(headers, "Retry-After") or "")


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    if value is None and hasattr(headers, "items"):
        for key, candidate in headers.items():
            if key.lower() == name.lower():
                return str(candidate)
    return None if value is None else str(value)


def _text(body: Any) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return text[:500]
