"""Event in: store it once, score it, move the stage, let journeys react."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from nurture.domain.events import Event
from nurture.domain.journeys import TriggerEvent
from nurture.engine.contacts import find_contact, new_contact
from nurture.engine.journeys import react
from nurture.engine.lifecycle import apply_lifecycle
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import score_event
from nurture.engine.suppression import lift, suppress
from nurture.formats import EventIn
from nurture.store import models

SUPPRESSING = {"unsubscribed": "unsubscribed", "spam_reported": "complaint"}


@dataclass(frozen=True)
class Ingested:
    event_id: int | None
    duplicate: bool
    points: int = 0
    stages: tuple[str, ...] = ()


def ingest_event(rt: Runtime, data: EventIn) -> Ingested:
    """Process one event in one transaction; a repeated source id changes nothing."""
    received = rt.clock.now()
    occurred = data.at or received
    source_id = data.source_id(received)
    try:
        with rt.sessions.begin() as session:
            if session.scalar(select(models.Event.id).where(models.Event.source_id == source_id)):
                return Ingested(None, duplicate=True)
            contact = find_contact(session, data.email) or new_contact(
                rt, session, data.email, occurred
            )
            row = models.Event(
                source_id=source_id,
                contact_id=contact.id,
                type=data.type,
                properties=data.properties,
                occurred_at=occurred,
                received_at=received,
            )
            session.add(row)
            session.flush()
            event = Event(data.type, occurred, data.properties)
            engaged = not is_machine_open(data)
            points = score_event(rt, session, contact, event, row.id) if engaged else 0
            contact.updated_at = received
            stages = apply_lifecycle(rt, session, contact, occurred, {data.type}, row.id)
            reason = _suppression(data)
            if reason:
                suppress(session, contact.email, reason, occurred, row.id)
            if data.type == "resubscribed":
                lift(session, contact.email)
            if engaged:
                react(rt, session, contact, occurred, TriggerEvent(data.type, data.properties))
            return Ingested(row.id, False, points, tuple(stages))
    except IntegrityError:
        with rt.sessions() as session:
            if session.scalar(select(models.Event.id).where(models.Event.source_id == source_id)):
                return Ingested(None, duplicate=True)
        raise


def is_machine_open(data: EventIn) -> bool:
    """An open made by a privacy proxy (Apple Mail Privacy Protection), not by a person.

    Stored for the record, but it neither scores nor counts as engagement.
    """
    return data.type == "email_opened" and data.properties.get("machine_open") is True


def _suppression(data: EventIn) -> str | None:
    if data.type == "email_bounced" and data.properties.get("bounce_type") == "hard":
        return "hard_bounce"
    return SUPPRESSING.get(data.type)
