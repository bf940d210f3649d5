"""Every stage move of a contact: its stage, and a history row with the cause.

Automatic moves go forward (engine/lifecycle.py); explicit ones (sales feedback, a journey's
update or handoff step) follow domain/feedback.py and domain/lifecycle.py, and may go back.
Going back has effects of its own, the same whoever asks: a recycled contact drops its
behaviour points and its owner, so it earns its MQL anew; leaving the funnel closes the
contact's open handoff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain.lifecycle import SIDE_STAGES, Transition
from nurture.engine.handoff import latest_handoff, record
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import reset_behaviour
from nurture.store import models


def record_move(
    session: Session,
    contact: models.Contact,
    move: Transition,
    now: datetime,
    event: models.Event | None = None,
) -> None:
    session.add(
        models.StageChange(
            contact_id=contact.id,
            from_stage=move.from_stage,
            to_stage=move.to_stage,
            cause=move.cause,
            event=event,
            at=now,
        )
    )
    contact.stage = move.to_stage
    contact.stage_changed_at = now


def apply_move(
    rt: Runtime, session: Session, contact: models.Contact, move: Transition, now: datetime
) -> None:
    """An explicit move and what it implies."""
    record_move(session, contact, move, now)
    contact.updated_at = now
    if move.to_stage in SIDE_STAGES:
        handoff = latest_handoff(session, contact)
        if handoff is not None and handoff.status in ("pending", "accepted"):
            handoff.status, handoff.reason, handoff.check_at = "closed", move.cause, None
            record(session, handoff, "closed", f"{move.to_stage}: {move.cause}", now)
    if move.to_stage == "recycled":
        reset_behaviour(rt, session, contact, now, f"recycled: {move.cause}")
        contact.owner = None
