"""Engagement that comes back through our own links: clicks, opens and unsubscribes.

Each is recorded as a normal event through :func:`ingest_event`, carrying the message id,
journey and step of the email it came from; the contact is the message's, never one named in
the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from nurture.engine.ingest import Ingested, ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.suppression import LIFTABLE, find_suppression
from nurture.formats import EventIn
from nurture.store.statements import events, messages


@dataclass(frozen=True)
class SentMessage:
    uid: str
    email: str
    journey: str | None
    step: str | None

    @property
    def properties(self) -> dict[str, str]:
        props = {"message_id": self.uid}
        if self.journey:
            props["journey"] = self.journey
        if self.step:
            props["step"] = self.step
        return props


def find_message(rt: Runtime, uid: str) -> SentMessage | None:
    with rt.sessions() as session:
        row = session.execute(messages.SENT_BY_UID, {"uid": uid}).first()
    return SentMessage(row[0], row[1], row[2], row[3]) if row else None


def record_click(rt: Runtime, message: SentMessage, url: str) -> Ingested:
    return _record(rt, message, "email_clicked", {"url": url}, key=url)


def record_open(rt: Runtime, message: SentMessage) -> Ingested:
    return _record(rt, message, "email_opened", {"machine_open": False})


def unsubscribe(rt: Runtime, message: SentMessage, how: str) -> Ingested:
    """Suppress the message's contact at once: every later send stops (suppression wins).

    Once: an address that already receives nothing records no second ``unsubscribed`` event
    (and no second ledger row), however often a link is followed or a mail client retries
    the one-click POST. The event's id is that of the contact's current subscription (since
    its last resubscribe), so even requests that race past the check store it once.
    """
    with rt.sessions() as session:
        if find_suppression(session, message.email) is not None:
            return Ingested(None, duplicate=True)
        since = session.scalar(events.LAST_RESUBSCRIBE_OF_EMAIL, {"email": message.email})
    key = _once(message.email, "unsubscribed", str(since or 0))
    return _ingest(rt, message, "unsubscribed", {"via": how}, key)


def resubscribe(rt: Runtime, message: SentMessage) -> Ingested:
    """Lift the contact's own unsubscribe (preferences page); anything else stays as it is.

    Nothing is recorded when there is nothing the contact may lift (no suppression, or a
    complaint or bounce: see :data:`~nurture.engine.suppression.LIFTABLE`). The event's id is
    that of the suppression it lifts, so a repeated or racing request stores it once.
    """
    with rt.sessions() as session:
        row = find_suppression(session, message.email)
        if row is None or row.reason not in LIFTABLE:
            return Ingested(None, duplicate=True)
        lifted = f"event {row.event_id}" if row.event_id else f"{row.id} {row.created_at}"
    key = _once(message.email, "resubscribed", lifted)
    return _ingest(rt, message, "resubscribed", {"via": "preferences"}, key)


def suppression_reason(rt: Runtime, message: SentMessage) -> str | None:
    """Why the message's contact receives nothing (a suppression reason), or None."""
    with rt.sessions() as session:
        row = find_suppression(session, message.email)
        return None if row is None else row.reason


def _record(
    rt: Runtime, message: SentMessage, kind: str, extra: dict[str, object], key: str = ""
) -> Ingested:
    # One event per message, kind and target per second: a double click is one click.
    second = f"{rt.clock.now():%Y%m%dT%H%M%S}"
    return _ingest(rt, message, kind, extra, _once(message.uid, kind, key, second))


def _once(*parts: str) -> str:
    """An event id made of ``parts``: the same parts, the same (duplicate) event."""
    return "track:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _ingest(
    rt: Runtime, message: SentMessage, kind: str, extra: dict[str, object], source_id: str
) -> Ingested:
    return ingest_event(
        rt,
        EventIn(
            id=source_id,
            email=message.email,
            type=kind,
            at=rt.clock.now(),
            properties={**message.properties, **extra},
        ),
    )
