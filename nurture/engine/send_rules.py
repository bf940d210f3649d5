"""Whether a due send step may send now: the rules every email passes at send time.

In order: suppression (unsubscribe, complaint, hard bounce), repeated soft bounces, the send
window and quiet hours in the contact's time zone (else the workspace's), and the frequency
cap across all journeys. Each returns one of the verdicts below, so the executor has a single
place to ask. The rules decide only: what a verdict writes (a suppression) is the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nurture.domain.journeys import Journey
from nurture.engine.runtime import Runtime
from nurture.engine.send_history import SOFT_BOUNCE_LIMIT, SendHistory


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
    suppress: str | None = None
    """The reason to suppress the address with, when this verdict suppresses it."""


Verdict = Allow | Defer | Skip | Stop


def check_send(
    rt: Runtime,
    history: SendHistory,
    contact: Any,
    journey: Journey,
    now: datetime,
    key: str | None = None,
) -> Verdict:
    """Whether ``contact`` (a record or row) may be sent ``journey``'s email now.

    The journey's own send window, when it has one, replaces the workspace's default.
    ``key`` is the idempotency key of the message judged: the cap does not count it. Repeated
    soft bounces stop with ``suppress="soft_bounce"``: noted in ``history`` at once, the
    suppression row is the caller's to write.
    """
    if contact.email in history.suppressed:
        return Stop("suppressed")
    if history.soft_bounces_in_a_row(contact.id) >= SOFT_BOUNCE_LIMIT:
        history.suppressed.add(contact.email)
        return Stop("suppressed: repeated soft bounces", suppress="soft_bounce")
    window = journey.send_window
    rules = rt.workspace.sending
    zone = contact.timezone or rt.workspace.timezone
    allowed = rules.next_allowed(now, zone, window)
    if allowed > now:
        return Defer(allowed, "outside the send window or in quiet hours")
    if rules.cap is not None:
        free_at = rules.cap.free_at(history.sent(contact.id, key), now)
        if free_at is not None:
            if (journey.when_capped or rules.when_capped) == "skip":
                return Skip("frequency cap")
            return Defer(rules.next_allowed(free_at, zone, window), "frequency cap")
    return Allow()


def cap_window_start(rt: Runtime, now: datetime) -> datetime | None:
    """Since when sends count against the frequency cap (None: there is no cap)."""
    cap = rt.workspace.sending.cap
    return None if cap is None else now - cap.period
