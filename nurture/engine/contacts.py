"""Create and update contacts; each change re-scores fit and lets journeys react."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.engine.journeys import react
from nurture.engine.lifecycle import apply_lifecycle
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import refresh_fit
from nurture.formats import ContactIn
from nurture.store import models


def find_contact(session: Session, email: str) -> models.Contact | None:
    return session.scalars(select(models.Contact).where(models.Contact.email == email)).first()


def new_contact(rt: Runtime, session: Session, email: str, now: datetime) -> models.Contact:
    model = rt.workspace.scoring
    contact = models.Contact(
        email=email,
        attributes={},
        enrollments=[],  # known empty: reacting to the new contact reads nothing
        stage="subscriber",
        score=0,
        band=model.band(0),
        grade=model.grade(0),
        stage_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(contact)
    session.flush()
    session.add(
        models.StageChange(
            contact_id=contact.id, from_stage=None, to_stage="subscriber", cause="created", at=now
        )
    )
    return contact


def seen_at(session: Session, contact: models.Contact, moment: datetime) -> None:
    """A contact is first seen at the earliest of its import and its events.

    A backfill imports contacts today and their history afterwards (or the other way round):
    moving the creation, and the stage change that records it, back to the oldest event keeps
    every duration from creation (time to MQL, time in stage) from going negative.
    """
    if moment >= contact.created_at:
        return
    first = contact.created_at
    session.execute(
        update(models.StageChange)
        .where(
            models.StageChange.contact_id == contact.id,
            models.StageChange.cause == "created",
            models.StageChange.at == first,
        )
        .values(at=moment)
    )
    contact.created_at = moment
    if contact.stage_changed_at == first and contact.stage == "subscriber":
        contact.stage_changed_at = moment


def upsert_contact(rt: Runtime, session: Session, data: ContactIn, now: datetime) -> models.Contact:
    """Create the contact or update the fields given; blank fields never erase known ones."""
    contact = find_contact(session, data.email) or new_contact(rt, session, data.email, now)
    seen_at(session, contact, now)
    for name in PROFILE_FIELDS[1:]:  # all but the email, which identifies the contact
        value = getattr(data, name)
        if value is not None:
            setattr(contact, name, value)
    if data.attributes:
        contact.attributes = {**contact.attributes, **data.attributes}
    contact.updated_at = now
    refresh_fit(rt, session, contact, now)
    apply_lifecycle(rt, session, contact, now)
    react(rt, session, contact, now)
    return contact


def import_contact(rt: Runtime, data: ContactIn) -> None:
    now = rt.clock.now()
    with rt.sessions.begin() as session:
        upsert_contact(rt, session, data, now)
