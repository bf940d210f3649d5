"""A contact's full history as JSON: what the CRM receives so the rep does not start from zero."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.store import models
from nurture.store.statements.events import EVENTS_OF
from nurture.store.statements.ledger import LEDGER_OF
from nurture.store.statements.messages import MESSAGES_OF
from nurture.store.statements.stage_history import STAGES_OF

PAGES = {"page_viewed"}
FORMS = {"form_submitted", "demo_requested", "subscribed", "webinar_registered"}
CONTENT = {"content_downloaded", "webinar_attended"}


def ledger_of(session: Session, contact: models.Contact) -> Sequence[models.ScoreEntry]:
    """The contact's score ledger, oldest first."""
    return session.scalars(LEDGER_OF, {"contact_id": contact.id}).all()


def stages_of(session: Session, contact: models.Contact) -> Sequence[models.StageChange]:
    """The contact's stage history, oldest first."""
    return session.scalars(STAGES_OF, {"contact_id": contact.id}).all()


def contact_history(session: Session, contact: models.Contact) -> dict[str, Any]:
    """Profile, state, every event (and pages, forms, content by kind), emails, ledger, stages."""
    events = session.scalars(EVENTS_OF, {"contact_id": contact.id}).all()

    def of(kinds: set[str]) -> list[dict[str, Any]]:
        return [_event(e) for e in events if e.type in kinds]

    messages = session.scalars(MESSAGES_OF, {"contact_id": contact.id}).all()
    ledger = ledger_of(session, contact)
    stages = stages_of(session, contact)
    return {
        "contact": {
            **{name: getattr(contact, name) for name in PROFILE_FIELDS},
            "attributes": contact.attributes,
        },
        "stage": contact.stage,
        "score": contact.score,
        "band": contact.band,
        "grade": contact.grade,
        "owner": contact.owner,
        "pages": of(PAGES),
        "forms": of(FORMS),
        "content": of(CONTENT),
        "emails": [
            {
                "journey": m.journey_id,
                "step": m.step_id,
                "subject": m.subject,
                "status": m.status,
                "sent_at": _iso(m.sent_at),
                "events": [
                    _event(e)
                    for e in events
                    if e.type.startswith("email_") and e.properties.get("message_id") == m.uid
                ],
            }
            for m in messages
        ],
        "events": [_event(e) for e in events],
        "score_ledger": [
            {
                "at": _iso(r.at),
                "rule": r.rule,
                "kind": r.kind,
                "points": r.points,
                "reason": r.reason,
                "event_id": r.event_id,
            }
            for r in ledger
        ],
        "stage_history": [
            {"at": _iso(s.at), "from": s.from_stage, "to": s.to_stage, "cause": s.cause}
            for s in stages
        ],
    }


def _event(event: models.Event) -> dict[str, Any]:
    return {
        "id": event.source_id,
        "type": event.type,
        "at": _iso(event.occurred_at),
        "properties": event.properties,
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None
