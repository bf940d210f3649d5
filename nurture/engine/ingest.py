"""Event in: store it once, score it, move the stage, let journeys react.

Events that arrive together (an import file, an API batch) go through :func:`ingest_events`:
a chunk of them per transaction, with what each event would look up by itself (known source
ids, contacts, their enrollments and ledgers) read once for the chunk. Every event then runs
the same code as a single one (:func:`ingest_event` is a chunk of one), so both write the same
rows (tests/engine/test_ingest_chunks.py compares them table by table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from nurture.domain.events import Event
from nurture.domain.journeys import TriggerEvent
from nurture.domain.scorebook import ScoreBook
from nurture.engine.contacts import new_contact, seen_at
from nurture.engine.journeys import react
from nurture.engine.lifecycle import apply_lifecycle
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import load_books, score_event
from nurture.engine.suppression import lift, suppress
from nurture.formats import EventIn
from nurture.store import models

SUPPRESSING = {"unsubscribed": "unsubscribed", "spam_reported": "complaint"}
CHUNK = 500
"""Events per transaction: large enough that the per-chunk reads cost little per event."""


@dataclass(frozen=True)
class Ingested:
    event_id: int | None
    duplicate: bool
    points: int = 0
    stages: tuple[str, ...] = ()


def ingest_event(rt: Runtime, data: EventIn) -> Ingested:
    """Process one event in one transaction; a repeated source id changes nothing."""
    received = rt.clock.now()
    try:
        return _ingest_chunk(rt, [data], received)[0]
    except IntegrityError:
        with rt.sessions() as session:
            if _stored(session, {data.source_id(received)}):
                return Ingested(None, duplicate=True)
        raise


def ingest_events(rt: Runtime, events: Iterable[EventIn], chunk: int = CHUNK) -> Iterator[Ingested]:
    """Process events in order, ``chunk`` per transaction; yield each one's result.

    ``events`` is consumed a chunk at a time, so a file of any size streams through. A source
    id seen twice (in the store or earlier in the same chunk) is a duplicate. If a concurrent
    writer stores one of the chunk's ids first, the chunk is rolled back and done again one
    event per transaction, exactly as :func:`ingest_event` would.
    """
    iterator = iter(events)
    while part := list(islice(iterator, chunk)):
        try:
            results = _ingest_chunk(rt, part, rt.clock.now())
        except IntegrityError:
            results = [ingest_event(rt, data) for data in part]
        yield from results


@dataclass
class _Chunk:
    """What the events of one transaction look up, read once and kept current as they run."""

    known: set[str]
    contacts: dict[str, models.Contact]
    books: dict[int, ScoreBook]

    @classmethod
    def read(cls, rt: Runtime, session: Session, events: Sequence[tuple[str, EventIn]]) -> _Chunk:
        known = _stored(session, {source_id for source_id, _ in events})
        contacts = session.scalars(
            select(models.Contact)
            .where(models.Contact.email.in_({data.email for _, data in events}))
            .options(selectinload(models.Contact.enrollments))
        ).all()
        books = load_books(session, contacts, rt.workspace.scoring) if contacts else {}
        return cls(known, {contact.email: contact for contact in contacts}, books)


def _stored(session: Session, source_ids: set[str]) -> set[str]:
    found = session.scalars(
        select(models.Event.source_id).where(models.Event.source_id.in_(source_ids))
    )
    return set(found)


def _ingest_chunk(rt: Runtime, events: Sequence[EventIn], received: datetime) -> list[Ingested]:
    keyed = [(data.source_id(received), data) for data in events]
    with rt.sessions.begin() as session:
        chunk = _Chunk.read(rt, session, keyed)
        done = [_ingest(rt, session, chunk, source_id, data, received) for source_id, data in keyed]
        session.flush()  # once for the chunk: the rows refer to their events by relationship
        return [
            Ingested(None, duplicate=True)
            if row is None
            else Ingested(row.id, False, points, stages)
            for row, points, stages in done
        ]


def _ingest(
    rt: Runtime,
    session: Session,
    chunk: _Chunk,
    source_id: str,
    data: EventIn,
    received: datetime,
) -> tuple[models.Event | None, int, tuple[str, ...]]:
    """One event: stored, scored, lifecycle, suppression, journeys react.

    Returns the event's row (None for a duplicate), its points and the stages entered.
    """
    if source_id in chunk.known:
        return None, 0, ()
    chunk.known.add(source_id)
    occurred = data.at or received
    contact = chunk.contacts.get(data.email)
    if contact is None:
        # An event may be dated a little ahead of the clock (NURTURE_TIME_AHEAD); its contact
        # is not created in the future.
        created = min(occurred, received)
        contact = chunk.contacts[data.email] = new_contact(rt, session, data.email, created)
        chunk.books[contact.id] = ScoreBook(rt.workspace.scoring)  # a new contact's empty ledger
    else:
        seen_at(session, contact, occurred)
    row = models.Event(
        source_id=source_id,
        contact_id=contact.id,
        type=data.type,
        properties=data.properties,
        occurred_at=occurred,
        received_at=received,
    )
    session.add(row)
    event = Event(data.type, occurred, data.properties)
    engaged = not is_machine_open(data)
    book = chunk.books[contact.id]
    points = score_event(rt, session, contact, event, row, book) if engaged else 0
    contact.updated_at = received
    stages = apply_lifecycle(rt, session, contact, occurred, {data.type}, row)
    reason = _suppression(data)
    if reason:
        suppress(session, contact.email, reason, occurred, row)
    if data.type == "resubscribed":
        lift(session, contact.email)
    if engaged:
        react(rt, session, contact, occurred, TriggerEvent(data.type, data.properties))
    return row, points, tuple(stages)


def is_machine_open(data: EventIn) -> bool:
    """An open made by a privacy proxy (Apple Mail Privacy Protection), not by a person.

    Stored for the record, but it neither scores nor counts as engagement.
    """
    return data.type == "email_opened" and data.properties.get("machine_open") is True


def _suppression(data: EventIn) -> str | None:
    if data.type == "email_bounced" and data.properties.get("bounce_type") == "hard":
        return "hard_bounce"
    return SUPPRESSING.get(data.type)
