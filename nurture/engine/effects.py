"""Steps that change the contact inside the store (update, handoff): one transaction each.

Their effect commits together with the enrollment's move to the next step, so a retry never
applies them twice. Every change is a change of the contact: goals are checked at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain import feedback
from nurture.domain.lifecycle import handed_off
from nurture.domain.scoring import Award
from nurture.domain.steps import HandoffStep, UpdateStep
from nurture.engine.handoff import hand_off
from nurture.engine.journeys import react
from nurture.engine.lifecycle import apply_lifecycle
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import record_awards, refresh_fit
from nurture.engine.stages import apply_move, record_move
from nurture.store import models
from nurture.store.statements.handoffs import PENDING_OF_CONTACT


def perform(
    rt: Runtime,
    session: Session,
    enrollment: models.Enrollment,
    step: UpdateStep | HandoffStep,
    now: datetime,
) -> None:
    contact = enrollment.contact
    where = f"journey {enrollment.journey_id}, step {step.id}"
    disqualified = False
    if isinstance(step, UpdateStep):
        if step.set:
            contact.attributes = {**contact.attributes, **step.set}
            refresh_fit(rt, session, contact, now)
        if step.points:
            award = Award(f"{enrollment.journey_id}:{step.id}", step.points, step.reason)
            record_awards(session, contact, [award], "journey", now)
            contact.band = rt.workspace.scoring.band(contact.score)
        if step.stage is not None:
            rule = feedback.recycle if step.stage == "recycled" else feedback.disqualify
            try:
                move = rule(contact.stage, f"{step.stage_reason} ({where})")
            except feedback.FeedbackRefused:
                pass  # e.g. a lead was never handed to sales: nothing to recycle
            else:
                apply_move(rt, session, contact, move, now)
                disqualified = move.to_stage == "disqualified"
        else:
            apply_lifecycle(rt, session, contact, now)
    else:
        pending = session.scalar(PENDING_OF_CONTACT, {"contact_id": contact.id})
        if pending is None:
            cause = f"handed off by {where}" + (f": {step.reason}" if step.reason else "")
            to_mql = handed_off(contact.stage, cause)
            if to_mql is not None:
                record_move(session, contact, to_mql, now)
                hand_off(rt, session, contact, now)
    contact.updated_at = now
    session.flush()
    react(rt, session, contact, now, suppressed=disqualified)
