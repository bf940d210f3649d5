"""The decisions a journey makes on its own, as rows: the branch taken, the A/B variant.

Made once where the step machine decides (``MoveOn``), so the timeline, the report and
the console read what the engine actually chose rather than guessing it again later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nurture.domain.journeys import Journey
from nurture.domain.steps import MoveOn


def split_row(enrollment: Any, variant: str, now: datetime) -> dict[str, Any]:
    """A ``split_assignments`` row: the variant an enrollment takes at the split it stands
    on (written once; a loop back through the split keeps its first variant)."""
    return {
        "enrollment_id": enrollment.id,
        "step_id": enrollment.current_step,
        "contact_id": enrollment.contact_id,
        "journey_id": enrollment.journey_id,
        "variant": variant,
        "assigned_at": now,
    }


def branch_row(
    enrollment: Any, journey: Journey, action: MoveOn, now: datetime
) -> dict[str, Any] | None:
    """A ``branch_decisions`` row: the condition that matched and the step it leads to
    (None for a move no condition chose)."""
    if action.because is None:
        return None
    assert enrollment.current_step is not None
    following = journey.after(enrollment.current_step) if action.to is None else None
    target = action.to if action.to is not None else following.id if following else None
    return {
        "enrollment_id": enrollment.id,
        "contact_id": enrollment.contact_id,
        "journey_id": enrollment.journey_id,
        "step_id": enrollment.current_step,
        "condition": action.because,
        "target": target,
        "at": now,
    }
