"""Move contacts along the funnel, with a history row for every change."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.engine.handoff import hand_off
from nurture.engine.runtime import Runtime
from nurture.engine.stages import record_move
from nurture.store import models


def apply_lifecycle(
    rt: Runtime,
    session: Session,
    contact: models.Contact,
    now: datetime,
    event_types: Collection[str] = (),
    event: models.Event | None = None,
) -> list[str]:
    """Apply the automatic forward transitions; return the stages entered."""
    moves = rt.workspace.lifecycle.transitions(
        contact.stage, contact.score, contact.grade, event_types
    )
    for move in moves:
        record_move(session, contact, move, now, event)
        if move.to_stage == "mql":
            hand_off(rt, session, contact, now)
    return [move.to_stage for move in moves]
