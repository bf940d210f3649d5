"""Explicit stage transitions (recycle, disqualify, a journey's handoff): recorded with a cause.

Automatic transitions only move forward (engine/lifecycle.py); the moves here may go back,
so each is allowed only from the stages listed and always writes a history row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.store import models

ALLOWED_FROM = {
    "recycled": frozenset({"mql", "sal", "sql", "opportunity"}),
    "disqualified": frozenset({"subscriber", "lead", "mql", "sal", "sql", "recycled"}),
    "mql": frozenset({"subscriber", "lead", "recycled"}),
}


def move_stage(
    session: Session, contact: models.Contact, to_stage: str, cause: str, now: datetime
) -> bool:
    """Move ``contact`` to ``to_stage`` if allowed from where it stands; say whether it moved."""
    if contact.stage not in ALLOWED_FROM.get(to_stage, frozenset()):
        return False
    session.add(
        models.StageChange(
            contact_id=contact.id,
            from_stage=contact.stage,
            to_stage=to_stage,
            cause=cause,
            at=now,
        )
    )
    contact.stage = to_stage
    contact.stage_changed_at = now
    return True
