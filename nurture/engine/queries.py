"""Read-only views the CLI and tests print: one contact, and what a run produced."""

from __future__ import annotations

from typing import Any

from nurture.domain.contacts import normalise_email
from nurture.engine.as_of import standing
from nurture.engine.contacts import find_contact
from nurture.engine.history import ledger_of, stages_of
from nurture.engine.runtime import Runtime
from nurture.errors import NotFound
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements import enrollments, handoffs, messages


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
            handoffs.COUNT_OF_CONTACT_AS_OF, {"contact_id": contact.id, "at": at}
        )
        emails = session.scalars(
            messages.MESSAGES_OF_AS_OF, {"contact_id": contact.id, "at": at}
        ).all()
        journeys = session.scalars(enrollments.OF_CONTACT, {"contact_id": contact.id}).all()
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
                for m in emails
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
    with rt.sessions() as session:
        rows = session.execute(messages.SENT_BY_STEP).all()
    return [(journey or "", step or "", count) for journey, step, count in rows]


def contacts_by_stage(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as session:
        rows = session.execute(contact_statements.COUNT_BY_STAGE).all()
    return dict(rows)


def handoffs_by_owner(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as session:
        rows = session.execute(handoffs.COUNT_BY_OWNER).all()
    return dict(rows)


def holds_contacts(rt: Runtime) -> bool:
    """Whether the database holds any contact (the demo will not mix its own with them)."""
    with rt.sessions() as session:
        return session.scalar(contact_statements.ANY) is not None
