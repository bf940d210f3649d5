"""Whether a due send step may send now: the rules every email passes at send time.

Today: suppression. Frequency caps and send windows belong here too, each returning one of
the verdicts below, so the executor has a single place to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.engine.runtime import Runtime
from nurture.engine.suppression import is_suppressed
from nurture.store import models


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
    rt: Runtime, session: Session, enrollment: models.Enrollment, now: datetime
) -> Verdict:
    if is_suppressed(session, enrollment.contact.email):
        return Stop("suppressed")
    window = rt.journey_of(enrollment.version).send_window
    if window is not None:
        zone = enrollment.contact.timezone or rt.workspace.timezone
        opening = window.next_opening(now, zone)
        if opening > now:
            return Defer(opening, "outside the journey's send window")
    return Allow()
