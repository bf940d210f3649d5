"""Tell sales about a handoff: a signed CRM webhook and/or an email, stored before sending.

A notification is a row first (in the transaction of the handoff), so nothing is lost when
the CRM is down: the sweep claims it (store/claims.py) and delivers it, and retries with
backoff (the runtime's retry policy) until it gets through. A refusal (4xx) fails it at
once; after the policy's attempts it fails too. A failed notification is visible in
`nurture handoff list` and `nurture failures list`, and `nurture failures retry` sends it
again.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from nurture.delivery.providers import OutgoingEmail
from nurture.engine.history import contact_history
from nurture.engine.runtime import Runtime
from nurture.errors import DeliveryRejected, NurtureError, ProviderRejected
from nurture.store import claims, models
from nurture.store.claims import NOTIFICATIONS
from nurture.store.converted import execute_one
from nurture.store.statements import notifications as statements

BATCH = 100
log = logging.getLogger(__name__)


def queue_webhook(
    rt: Runtime,
    session: Session,
    handoff: models.Handoff,
    contact: models.Contact,
    now: datetime,
    reason: str,
) -> None:
    """A CRM push with the contact's full history, if a CRM URL is configured."""
    url = rt.crm.target(rt.workspace.handoff.webhook_url)
    if url is None:
        return
    session.flush()
    payload = {
        "event": reason,
        "handoff": {
            "id": handoff.id,
            "owner": handoff.owner,
            "status": handoff.status,
            "sla_due_at": handoff.sla_due_at.isoformat(),
            "created_at": handoff.created_at.isoformat(),
        },
        **contact_history(session, contact),
    }
    _queue(session, handoff, "webhook", url, payload, now)


def queue_email(
    rt: Runtime,
    session: Session,
    handoff: models.Handoff,
    to: str,
    subject: str,
    lines: list[str],
    now: datetime,
) -> None:
    _queue(session, handoff, "email", to, {"subject": subject, "lines": lines}, now)


def _queue(
    session: Session,
    handoff: models.Handoff,
    channel: str,
    target: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    session.add(models.Notification(**notification_row(handoff.id, channel, target, payload, now)))


def notification_row(
    handoff: Any, channel: str, target: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A notification waiting for the sweep, about ``handoff`` (an id, or a buffered row of
    engine/intake/changes.py): the ORM code's and the set-based code's row alike."""
    return {
        "handoff_id": handoff,
        "channel": channel,
        "target": target,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }


def deliver_due(rt: Runtime, now: datetime) -> int:
    """Claim and attempt the notifications due at ``now``, batch after batch; how many went.

    A batch is read with its claim, in one statement; each notification is then sent on its
    own and its outcome recorded by one statement, fenced on the claim.
    """
    token = uuid.uuid4().hex
    delivered = 0
    while True:
        with claims.claiming(rt.engine) as connection:
            batch = claims.claim(
                connection, NOTIFICATIONS, statements.DUE, now, token, rt.lease, BATCH
            )
            claimed = connection.execute(statements.CLAIMED, {"ids": batch}).all() if batch else []
        if not batch:
            return delivered
        for notification in claimed:
            delivered += _attempt(rt, notification, token, now)


def _attempt(rt: Runtime, notification: Row[Any], token: str, now: datetime) -> bool:
    notification_id = notification.id
    error, permanent = None, False
    try:
        if notification.channel == "webhook":
            rt.crm.post(
                notification.target, notification.payload, f"notification-{notification_id}"
            )
        else:
            rt.provider.send(_email(rt, notification_id, notification.target, notification.payload))
    except (DeliveryRejected, ProviderRejected) as exc:
        error, permanent = str(exc), True
    except NurtureError as exc:
        error = str(exc)
    except Exception as exc:
        log.exception("notification %s failed", notification_id)
        error = f"{type(exc).__name__}: {exc}"
    attempts = notification.attempts + 1
    outcome = {
        "notification_id": notification_id,
        "token": token,
        "status": notification.status,
        "attempts": attempts,
        "next_attempt_at": None,
        "last_error": error,
        "delivered_at": notification.delivered_at,
    }
    if error is None:
        outcome.update(status="delivered", delivered_at=now)
    elif permanent or rt.retry.exhausted(attempts):
        outcome.update(status="failed")
    else:
        outcome.update(next_attempt_at=now + rt.retry.wait(attempts))
    with rt.engine.begin() as connection:
        if not execute_one(connection, statements.OUTCOME, outcome).rowcount:
            log.warning("notification %s: claim lost; its outcome is not recorded", notification_id)
            return False
    return error is None


def _email(rt: Runtime, notification_id: int, to: str, payload: dict[str, Any]) -> OutgoingEmail:
    text = "\n".join(payload["lines"])
    sender = rt.workspace.sender
    return OutgoingEmail(
        message_uid=f"handoff-notification-{notification_id}",
        to=to,
        from_email=sender.from_email,
        from_name=sender.from_name,
        subject=payload["subject"],
        html=f"<pre>{escape(text)}</pre>",
        text=text,
        journey="handoff",
        step="notification",
    )
