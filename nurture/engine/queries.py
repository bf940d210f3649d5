"""Read-only views the CLI and tests print: one contact, and what a run produced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from nurture.domain.contacts import normalise_email
from nurture.engine.as_of import standing
from nurture.engine.contacts import find_contact
from nurture.engine.history import ledger_of, stages_of
from nurture.engine.runtime import Runtime
from nurture.errors import NotFound
from nurture.store import models


def contact_summary(rt: Runtime, email: str) -> dict[str, Any]:
    """The contact's stage, score, band and messages (the JSON of `contacts show --json`),
    as they stood at the runtime clock's time."""
    at = rt.clock.now()
    with rt.sessions() as session:
        contact = find_contact(session, normalise_email(email))
        if contact is None:
            raise NotFound(f"no contact {email!r}: import it with `nurture contacts import`")
        then = standing(
            contact,
            ledger_of(session, contact),
            stages_of(session, contact),
            rt.workspace.scoring,
            at,
        )
        handed_off = session.scalar(
            select(func.count())
            .select_from(models.Handoff)
            .where(models.Handoff.contact_id == contact.id, models.Handoff.created_at <= at)
        )
        messages = session.scalars(
            select(models.Message)
            .where(models.Message.contact_id == contact.id, models.Message.created_at <= at)
            .order_by(models.Message.created_at, models.Message.id)
        ).all()
        journeys = session.scalars(
            select(models.Enrollment)
            .where(models.Enrollment.contact_id == contact.id)
            .order_by(models.Enrollment.enrolled_at, models.Enrollment.id)
        ).all()
        return {
            "email": contact.email,
            "as_of": at.isoformat(),
            "stage": then.stage,
            "score": then.score,
            "band": then.band,
            "grade": then.grade,
            "owner": contact.owner if handed_off else None,
            "messages": [
                {
                    "journey": m.journey_id,
                    "step": m.step_id,
                    "template": m.template,
                    "subject": m.subject,
                    "status": m.status,
                    "uid": m.uid,
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                    "error": m.error,
                }
                for m in messages
            ],
            "enrollments": [
                {
                    "journey": e.journey_id,
                    "status": e.status,
                    "step": e.current_step,
                    "exit_reason": e.exit_reason,
                    "attempts": e.attempts,
                    "last_error": e.last_error,
                    "next_run_at": e.next_run_at.isoformat() if e.next_run_at else None,
                }
                for e in journeys
            ],
            "leased": contact.lease_until is not None and contact.lease_until > rt.clock.now(),
        }


def sent_by_step(rt: Runtime) -> list[tuple[str, str, int]]:
    M = models.Message
    with rt.sessions() as session:
        rows = session.execute(
            select(M.journey_id, M.step_id, func.count())
            .where(M.status == "sent")
            .group_by(M.journey_id, M.step_id)
            .order_by(M.journey_id, func.min(M.id))
        ).all()
    return [(journey or "", step or "", count) for journey, step, count in rows]


def contacts_by_stage(rt: Runtime) -> dict[str, int]:
    C = models.Contact
    with rt.sessions() as session:
        rows = session.execute(select(C.stage, func.count()).group_by(C.stage)).all()
    return dict(rows)


def handoffs_by_owner(rt: Runtime) -> dict[str, int]:
    H = models.Handoff
    with rt.sessions() as session:
        rows = session.execute(
            select(H.owner, func.count()).group_by(H.owner).order_by(H.owner)
        ).all()
    return dict(rows)
