"""Record the decisions a journey makes on its own: the branch taken, the A/B variant.

Called once where the step machine decides (``MoveOn``), so the timeline, the report and
the console read what the engine actually chose rather than guessing it again later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain.journeys import Journey
from nurture.domain.steps import MoveOn
from nurture.engine.splits import record_split
from nurture.store import models


def record_decision(
    session: Session,
    enrollment: models.Enrollment,
    journey: Journey,
    action: MoveOn,
    now: datetime,
) -> None:
    """A split's variant (once per enrollment), or a branch's matched condition and target."""
    if action.variant is not None:
        record_split(session, enrollment, action.variant, now)
    if action.because is None:
        return
    assert enrollment.current_step is not None
    following = journey.after(enrollment.current_step) if action.to is None else None
    target = action.to if action.to is not None else following.id if following else None
    session.add(
        models.BranchDecision(
            enrollment_id=enrollment.id,
            contact_id=enrollment.contact_id,
            journey_id=enrollment.journey_id,
            step_id=enrollment.current_step,
            condition=action.because,
            target=target,
            at=now,
        )
    )
