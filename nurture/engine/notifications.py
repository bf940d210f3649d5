"""Tell sales about a handoff: a signed CRM webhook and/or an email, stored before sending.

A notification is a row first (in the transaction of the handoff), so nothing is lost when
the CRM is down: the sweep delivers it, and retries with backoff until it gets through. After
``GIVE_UP_AFTER`` attempts it is marked ``failed`` (visible in `nurture handoff list`) and is
still retried once a day.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from html import escape
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nurture.delivery.providers import OutgoingEmail
from nurture.engine.history import contact_history
from nurture.engine.runtime import Runtime
from nurture.errors import NurtureError
from nurture.store import models

FIRST_RETRY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
GIVE_UP_AFTER = 8
FAILED_RETRY = timedelta(days=1)
CLAIM = timedelta(minutes=5)
log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, at most an hour."""
    if attempts >= GIVE_UP_AFTER:
        return FAILED_RETRY
    wait: timedelta = FIRST_RETRY * (2 ** (attempts - 1))
    return min(wait, MAX_BACKOFF)


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
    session.add(
        models.Notification(
            handoff_id=handoff.id,
            channel=channel,
            target=target,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def next_delivery(rt: Runtime) -> datetime | None:
    N = models.Notification
    with rt.sessions() as session:
        return session.scalars(
            select(N.next_attempt_at)
            .where(N.next_attempt_at.is_not(None))
            .order_by(N.next_attempt_at)
            .limit(1)
        ).first()


def deliver_due(rt: Runtime, now: datetime) -> int:
    """Attempt every notification due at ``now``; return how many were delivered."""
    N = models.Notification
    with rt.sessions() as session:
        due = session.scalars(
            select(N.id).where(N.next_attempt_at <= now).order_by(N.next_attempt_at, N.id)
        ).all()
    delivered = 0
    for notification_id in due:
        delivered += _attempt(rt, notification_id, now)
    return delivered


def _attempt(rt: Runtime, notification_id: int, now: datetime) -> bool:
    N = models.Notification
    with rt.sessions.begin() as session:
        claimed = session.execute(
            update(N)
            .where(N.id == notification_id, N.next_attempt_at <= now)
            .values(next_attempt_at=now + CLAIM)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        row = session.get_one(N, notification_id)
        channel, target, payload = row.channel, row.target, dict(row.payload)
    error = None
    try:
        if channel == "webhook":
            rt.crm.post(target, payload, f"notification-{notification_id}")
        else:
            rt.provider.send(_email(rt, notification_id, target, payload))
    except NurtureError as exc:
        error = str(exc)
    except Exception as exc:
        log.exception("notification %s failed", notification_id)
        error = f"{type(exc).__name__}: {exc}"
    with rt.sessions.begin() as session:
        row = session.get_one(N, notification_id)
        row.attempts += 1
        if error is None:
            row.status, row.delivered_at, row.next_attempt_at, row.last_error = (
                "delivered",
                now,
                None,
                None,
            )
        else:
            row.last_error = error
            row.status = "failed" if row.attempts >= GIVE_UP_AFTER else "pending"
            row.next_attempt_at = now + backoff(row.attempts)
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
