"""Many events in one transaction, with the same outcome as ingesting them one by one.

Imports call this instead of :func:`nurture.engine.ingest.ingest_event` per line. The rules
are the same domain functions (scoring, lifecycle transitions, journey entry and goals); what
changes is the data access: one query per chunk for known source ids, contacts, enrollments
and suppressions, the contacts' state kept in memory while the chunk's events are applied in
order, and every row written with one executemany per table. Rows get the ids, values and
order that ingesting the events one at a time would give them (tests/engine/
test_batch_ingest.py compares both paths table by table). A chunk that meets a concurrent
writer (a unique key taken meanwhile) is rolled back and replayed through ``ingest_event``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nurture.domain.contacts import State
from nurture.domain.events import Event
from nurture.domain.journeys import Journey
from nurture.engine.ingest import Ingested, _suppression, ingest_event
from nurture.engine.runtime import Runtime
from nurture.formats import EventIn
from nurture.store import models

CHUNK = 1000

_CONTACT_STATE = ("id", "email", "stage", "score", "band", "grade", "owner")


@dataclass
class _Contact:
    """The part of a contact that ingest reads and writes."""

    id: int
    email: str
    stage: str
    score: int
    band: str
    grade: str
    owner: str | None
    stage_changed_at: datetime | None = None
    updated_at: datetime | None = None
    enrollments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Rows:
    """Rows of one chunk, in the order one-by-one ingest would have written them."""

    ledger: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    enrolled: list[dict[str, Any]] = field(default_factory=list)
    finished: dict[int, dict[str, Any]] = field(default_factory=dict)
    journeys: dict[int, Journey] = field(default_factory=dict)


def ingest_events(rt: Runtime, events: Iterable[EventIn], chunk: int = CHUNK) -> list[Ingested]:
    """Ingest ``events`` in order, ``chunk`` per transaction; one result per event."""
    results: list[Ingested] = []
    iterator = iter(events)
    while batch := list(islice(iterator, chunk)):
        results += ingest_chunk(rt, batch)
    return results


def ingest_chunk(rt: Runtime, events: Sequence[EventIn]) -> list[Ingested]:
    try:
        with rt.sessions.begin() as session:
            return _ingest(rt, session, events)
    except IntegrityError:
        return [ingest_event(rt, event) for event in events]


def _ingest(rt: Runtime, session: Session, events: Sequence[EventIn]) -> list[Ingested]:
    received = rt.clock.now()
    source_ids = [event.source_id(received) for event in events]
    known = set(
        session.scalars(
            select(models.Event.source_id).where(models.Event.source_id.in_(set(source_ids)))
        )
    )
    fresh: list[int] = []
    for index, source_id in enumerate(source_ids):
        if source_id not in known:
            known.add(source_id)
            fresh.append(index)
    results = [Ingested(None, duplicate=True) for _ in events]
    if not fresh:
        return results

    rows = _Rows()
    contacts = _load_contacts(session, {events[i].email for i in fresh})
    created = _create_contacts(rt, session, [events[i] for i in fresh], contacts, received)
    _load_enrollments(session, contacts)
    suppressed = set(
        session.scalars(
            select(models.Suppression.email).where(models.Suppression.email.in_(contacts))
        )
    )
    handed = session.scalar(select(func.count()).select_from(models.Handoff)) or 0
    current = _current_versions(session)
    event_ids = _insert_events(session, events, fresh, source_ids, contacts, received)

    for index, event_id in zip(fresh, event_ids, strict=True):
        data = events[index]
        contact = contacts[data.email]
        if contact.email in created:
            rows.history.append(created.pop(contact.email))
        occurred = data.at or received
        awards = rt.workspace.scoring.score_event(Event(data.type, occurred, data.properties))
        for award in awards:
            if award.points:
                rows.ledger.append(
                    dict(
                        contact_id=contact.id,
                        rule=award.rule,
                        kind="behaviour",
                        points=award.points,
                        reason=award.reason,
                        event_id=event_id,
                        at=occurred,
                    )
                )
                contact.score += award.points
        contact.band = rt.workspace.scoring.band(contact.score)
        contact.updated_at = received
        stages = _lifecycle(rt, contact, occurred, data.type, event_id, rows, handed)
        handed += stages.count("mql")
        reason = _suppression(data)
        if reason and contact.email not in suppressed:
            suppressed.add(contact.email)
            rows.suppressions.append(
                dict(email=contact.email, reason=reason, event_id=event_id, created_at=occurred)
            )
        _react(rt, session, contact, occurred, {data.type}, current, rows)
        points = sum(a.points for a in awards)
        results[index] = Ingested(event_id, False, points, tuple(stages))

    _write(session, contacts, rows)
    return results


def _load_contacts(session: Session, emails: set[str]) -> dict[str, _Contact]:
    C = models.Contact
    columns = [getattr(C, name) for name in _CONTACT_STATE]
    found = session.execute(select(*columns).where(C.email.in_(emails))).all()
    return {row.email: _Contact(*row) for row in found}


def _create_contacts(
    rt: Runtime,
    session: Session,
    events: Sequence[EventIn],
    contacts: dict[str, _Contact],
    received: datetime,
) -> dict[str, dict[str, Any]]:
    """Insert the unknown contacts in the order their first events arrive.

    Returns the "created" history row of each, to be written just before the rows of the
    event that created the contact, as one by one would.
    """
    model = rt.workspace.scoring
    new: dict[str, dict[str, Any]] = {}
    for data in events:
        if data.email in contacts or data.email in new:
            continue
        now = data.at or received
        new[data.email] = dict(
            email=data.email,
            attributes={},
            stage="subscriber",
            score=0,
            band=model.band(0),
            grade=model.grade(0),
            stage_changed_at=now,
            created_at=now,
            updated_at=now,
        )
    if not new:
        return {}
    statement = insert(models.Contact).returning(models.Contact.id, sort_by_parameter_order=True)
    ids = session.scalars(statement, list(new.values())).all()
    created = {}
    for values, contact_id in zip(new.values(), ids, strict=True):
        email = values["email"]
        contacts[email] = _Contact(
            contact_id, email, "subscriber", 0, values["band"], values["grade"], None
        )
        created[email] = _created(contact_id, values["created_at"])
    return created


def _created(contact_id: int, at: datetime) -> dict[str, Any]:
    return dict(
        contact_id=contact_id,
        from_stage=None,
        to_stage="subscriber",
        cause="created",
        event_id=None,
        at=at,
    )


def _load_enrollments(session: Session, contacts: dict[str, _Contact]) -> None:
    E = models.Enrollment
    by_id = {c.id: c for c in contacts.values()}
    found = session.execute(
        select(E.id, E.contact_id, E.journey_id, E.version_id, E.status)
        .where(E.contact_id.in_(by_id))
        .order_by(E.id)
    ).all()
    for row in found:
        by_id[row.contact_id].enrollments.append(row._asdict())


def _current_versions(session: Session) -> dict[str, int]:
    J, V = models.Journey, models.JourneyVersion
    found = session.execute(
        select(J.id, V.id).join(V, (V.journey_id == J.id) & (V.version == J.current_version))
    ).all()
    return {journey: version for journey, version in found}


def _insert_events(
    session: Session,
    events: Sequence[EventIn],
    fresh: list[int],
    source_ids: list[str],
    contacts: dict[str, _Contact],
    received: datetime,
) -> Sequence[int]:
    values = [
        dict(
            source_id=source_ids[i],
            contact_id=contacts[events[i].email].id,
            type=events[i].type,
            properties=events[i].properties,
            occurred_at=events[i].at or received,
            received_at=received,
        )
        for i in fresh
    ]
    # A plain executemany, then one indexed read of the ids: cheaper than RETURNING row by row.
    session.execute(insert(_table(models.Event)), values)
    E = models.Event
    found = session.execute(select(E.source_id, E.id).where(E.source_id.in_(source_ids)))
    ids = {source_id: event_id for source_id, event_id in found}
    return [ids[str(row["source_id"])] for row in values]


def _lifecycle(
    rt: Runtime,
    contact: _Contact,
    now: datetime,
    event_type: str,
    event_id: int,
    rows: _Rows,
    handed: int,
) -> list[str]:
    """engine/lifecycle.apply_lifecycle and engine/handoff.hand_off, on the in-memory state."""
    moves = rt.workspace.lifecycle.transitions(
        contact.stage, contact.score, contact.grade, {event_type}
    )
    for move in moves:
        rows.history.append(
            dict(
                contact_id=contact.id,
                from_stage=move.from_stage,
                to_stage=move.to_stage,
                cause=move.cause,
                event_id=event_id,
                at=now,
            )
        )
        contact.stage = move.to_stage
        contact.stage_changed_at = now
        if move.to_stage == "mql":
            team = rt.workspace.handoff.team
            owner = team[handed % len(team)]
            handed += 1
            rows.handoffs.append(
                dict(
                    contact_id=contact.id,
                    owner=owner,
                    status="pending",
                    sla_due_at=now + rt.workspace.handoff.sla,
                    details={"score": contact.score, "grade": contact.grade},
                    created_at=now,
                )
            )
            contact.owner = owner
    return [move.to_stage for move in moves]


def _react(
    rt: Runtime,
    session: Session,
    contact: _Contact,
    now: datetime,
    event_types: set[str],
    current: dict[str, int],
    rows: _Rows,
) -> None:
    """engine/journeys.react on the in-memory state (never suppressed: ingest does not ask)."""
    state = State(stage=contact.stage, score=contact.score, band=contact.band, grade=contact.grade)
    for enrollment in contact.enrollments:
        if enrollment["status"] != "active":
            continue
        journey = _journey(rt, session, enrollment["version_id"], rows.journeys)
        goal = journey.goal_reached(state, event_types)
        if goal is not None:
            enrollment["status"] = "exited"
            changes = dict(
                status="exited",
                exit_reason=f"goal reached: {goal.describe()}",
                finished_at=now,
                next_run_at=None,
                lease_owner=None,
                lease_until=None,
            )
            if "new" in enrollment:
                enrollment["new"].update(changes)
            else:
                rows.finished[enrollment["id"]] = changes
    entered = {e["journey_id"] for e in contact.enrollments}
    for journey in rt.workspace.by_priority:
        if journey.id in entered or not journey.entry.admits(state):
            continue
        if journey.goal_reached(state, event_types) or journey.first is None:
            continue
        values = dict(
            contact_id=contact.id,
            journey_id=journey.id,
            version_id=current[journey.id],
            status="active",
            current_step=journey.first.id,
            step_entered_at=now,
            next_run_at=now,
            enrolled_at=now,
        )
        rows.enrolled.append(values)
        contact.enrollments.append(
            dict(
                journey_id=journey.id,
                version_id=values["version_id"],
                status="active",
                new=values,
            )
        )


def _journey(rt: Runtime, session: Session, version_id: int, known: dict[int, Journey]) -> Journey:
    if version_id not in known:
        known[version_id] = rt.journey_of(session.get_one(models.JourneyVersion, version_id))
    return known[version_id]


def _write(session: Session, contacts: dict[str, _Contact], rows: _Rows) -> None:
    for model, values in (
        (models.ScoreEntry, rows.ledger),
        (models.StageChange, rows.history),
        (models.Handoff, rows.handoffs),
        (models.Suppression, rows.suppressions),
    ):
        if values:
            session.execute(insert(_table(model)), values)
    if rows.enrolled:
        enrolled = [_full_enrollment(v) for v in rows.enrolled]
        session.execute(insert(_table(models.Enrollment)), enrolled)
    if rows.finished:
        changes = [{"id": key, **values} for key, values in rows.finished.items()]
        session.execute(update(models.Enrollment), changes)
    changed = [_contact_values(c) for c in contacts.values() if c.updated_at is not None]
    if changed:
        session.execute(update(models.Contact), changed)


def _table(model: type[models.Base]) -> Table:
    return cast(Table, model.__table__)


def _full_enrollment(values: dict[str, Any]) -> dict[str, Any]:
    """Every column in every row, so executemany sends one statement shape."""
    return {
        "exit_reason": None,
        "finished_at": None,
        "lease_owner": None,
        "lease_until": None,
        **values,
    }


def _contact_values(contact: _Contact) -> dict[str, Any]:
    values: dict[str, Any] = dict(
        id=contact.id,
        score=contact.score,
        band=contact.band,
        stage=contact.stage,
        owner=contact.owner,
        updated_at=contact.updated_at,
    )
    if contact.stage_changed_at is not None:
        values["stage_changed_at"] = contact.stage_changed_at
    return values
