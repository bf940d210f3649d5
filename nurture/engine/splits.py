"""Record the variant an enrollment takes at a split step, once, for A/B reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.store import models


def record_split(
    session: Session, enrollment: models.Enrollment, variant: str, now: datetime
) -> None:
    """The first assignment stands: a loop back through the split keeps its variant."""
    assert enrollment.current_step is not None
    key = (enrollment.id, enrollment.current_step)
    if session.get(models.SplitAssignment, key) is None:
        session.add(
            models.SplitAssignment(
                enrollment_id=enrollment.id,
                step_id=enrollment.current_step,
                contact_id=enrollment.contact_id,
                journey_id=enrollment.journey_id,
                variant=variant,
                assigned_at=now,
            )
        )
