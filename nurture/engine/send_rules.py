"""Whether a due send step may send now: the rules every email passes at send time.

In order: suppression (unsubscribe, complaint, hard bounce), repeated soft bounces, the send
window and quiet hours in the contact's time zone (else the workspace's), and the frequency
cap across all journeys. Each returns one of the verdicts below, so the executor has a single
place to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.engine.runtime import Runtime
from nurture.engine.suppression import is_suppressed, suppress
from nurture.store import models

SOFT_BOUNCE_LIMIT = 3
"""Soft bounces in a row (no delivery between them) after which an address is suppressed."""


@dataclass(frozen=True)
class Allow:
    """Send now."""


@dataclass(frozen=True)
class Defer:
    """Not now: try again at ``until`` (a send window, a frequency cap)."""

    until: datetime
    reason: str


@dataclass(frozen=True)
class Skip:
    """Do not send this step; go on with the journey."""

    reason: str


@dataclass(frozen=True)
class Stop:
    """Send nothing more in this journey (the contact is suppressed)."""

    reason: str


Verdict = Allow | Defer | Skip | Stop


def check_send(
    rt: Runtime,
    session: Session,
    enrollment: models.Enrollment,
    now: datetime,
) -> Verdict:
    """The journey's own send window, when it has one, replaces the workspace's default."""
    contact = enrollment.contact
    if is_suppressed(session, contact.email):
        return Stop("suppressed")
    if _soft_bounces_in_a_row(session, contact.id) >= SOFT_BOUNCE_LIMIT:
        suppress(session, contact.email, "soft_bounce", now)
        return Stop("suppressed: repeated soft bounces")
    journey = rt.journey_of(enrollment.version)
    window = journey.send_window
    rules = rt.workspace.sending
    zone = contact.timezone or rt.workspace.timezone
    allowed = rules.next_allowed(now, zone, window)
    if allowed > now:
        return Defer(allowed, "outside the send window or in quiet hours")
    if rules.cap is not None:
        free_at = rules.cap.free_at(_recent_sends(session, contact.id, now - rules.cap.period), now)
        if free_at is not None:
            if (journey.when_capped or rules.when_capped) == "skip":
                return Skip("frequency cap")
            return Defer(rules.next_allowed(free_at, zone, window), "frequency cap")
    return Allow()


def _recent_sends(session: Session, contact_id: int, since: datetime) -> list[datetime]:
    M = models.Message
    return [
        sent
        for sent in session.scalars(
            select(M.sent_at).where(
                M.contact_id == contact_id, M.status == "sent", M.sent_at > since
            )
        )
        if sent is not None
    ]


def _soft_bounces_in_a_row(session: Session, contact_id: int) -> int:
    E = models.Event
    rows = session.execute(
        select(E.type, E.properties)
        .where(E.contact_id == contact_id, E.type.in_(("email_bounced", "email_delivered")))
        .order_by(E.occurred_at.desc(), E.id.desc())
        .limit(SOFT_BOUNCE_LIMIT)
    )
    count = 0
    for kind, properties in rows:
        if kind != "email_bounced" or properties.get("bounce_type") != "soft":
            break
        count += 1
    return count
