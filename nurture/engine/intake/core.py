"""What one event or one contact does, decided by the domain objects on the working set,
written into the row buffers. Each call has its own ``now``; nothing here opens a Session.

The decisions are the engine's shared ones: the score book (domain/scorebook.py), fit
corrections (engine/scoring.py), the lifecycle's transitions, the handoff's owner
(engine/handoff.py) and the journeys' reaction (engine/journeys.react_on).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.domain.events import Event
from nurture.domain.journeys import Journey, TriggerEvent
from nurture.domain.scorebook import Row as BookRow
from nurture.domain.scorebook import ScoreBook
from nurture.engine.handoff import assigned_data, choose_owner, event_row, handoff_details
from nurture.engine.intake.changes import Changes, Row, ref
from nurture.engine.intake.records import ContactRow, EnrollmentRow
from nurture.engine.intake.state import WorkingSet
from nurture.engine.journeys import first_visit, react_on
from nurture.engine.notifications import notification_row, queue_webhook
from nurture.engine.owner_messages import new_mql
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import fit_corrections, keep_in_step
from nurture.engine.suppression import LIFTABLE
from nurture.formats import ContactIn, EventIn
from nurture.store import models
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements import suppressions

SUPPRESSING = {"unsubscribed": "unsubscribed", "spam_reported": "complaint"}


@dataclass(frozen=True)
class _Handed:
    """What the owner's message reads of a handoff still in the buffers."""

    owner: str
    sla_due_at: datetime


def ingest(
    rt: Runtime,
    ws: WorkingSet,
    changes: Changes,
    source_id: str,
    data: EventIn,
    received: datetime,
) -> tuple[Row | None, int, tuple[str, ...]]:
    """One event: stored, scored, lifecycle, suppression, journeys react.

    Returns the event's buffered row (None for a duplicate), its points and the stages entered.
    """
    if source_id in ws.known:
        return None, 0, ()
    ws.known.add(source_id)
    occurred = data.at or received
    contact = ws.contacts.get(data.email)
    if contact is None:
        # An event may be dated a little ahead of the clock (NURTURE_TIME_AHEAD); its contact
        # is not created in the future.
        contact = new_contact(rt, ws, changes, data.email, min(occurred, received))
    else:
        seen_at(changes, contact, occurred)
    row = changes.add_event(
        contact.email,
        {
            "source_id": source_id,
            "contact_id": contact,
            "type": data.type,
            "properties": data.properties,
            "occurred_at": occurred,
            "received_at": received,
        },
    )
    engaged = not is_machine_open(data)
    points = 0
    if engaged:
        points = score(
            rt,
            changes,
            contact,
            ws.books[contact.email],
            Event(data.type, occurred, data.properties),
            row,
        )
    contact.updated_at = received
    changes.touched(contact)
    stages = apply_lifecycle(rt, ws, changes, contact, occurred, {data.type}, row)
    reason = suppression_reason(data)
    if reason:
        suppress(ws, changes, contact.email, reason, occurred, row)
    if data.type == "resubscribed":
        lift(ws, changes, contact.email)
    if engaged:
        react(rt, ws, changes, contact, occurred, TriggerEvent(data.type, data.properties))
    return row, points, tuple(stages)


def upsert(
    rt: Runtime, ws: WorkingSet, changes: Changes, data: ContactIn, now: datetime
) -> ContactRow:
    """One contact: created or its given fields updated (blank ones never erase), fit
    re-scored into correcting rows, lifecycle, journeys react."""
    contact = ws.contacts.get(data.email)
    if contact is None:
        contact = new_contact(rt, ws, changes, data.email, now)
    else:
        seen_at(changes, contact, now)
    for name in PROFILE_FIELDS[1:]:  # all but the email, which identifies the contact
        value = getattr(data, name)
        if value is not None:
            setattr(contact, name, value)
    if data.attributes:
        contact.attributes = {**contact.attributes, **data.attributes}
    ws.profiles.pop(contact.email, None)
    contact.updated_at = now
    changes.touched(contact)
    model = rt.workspace.scoring
    have = ws.fit[contact.email]
    awards, contact.grade = fit_corrections(model, ws.profile(contact), have)
    for award in awards:
        changes.add(
            "score_ledger",
            _ledger(contact, award.rule, "fit", award.points, award.reason, None, now),
        )
        contact.score += award.points
        have[award.rule] = have.get(award.rule, 0) + award.points
    contact.band = model.band(contact.score)
    apply_lifecycle(rt, ws, changes, contact, now)
    react(rt, ws, changes, contact, now)
    return contact


def seen_at(changes: Changes, contact: ContactRow, moment: datetime) -> None:
    """A contact is first seen at the earliest of its import and its events.

    A backfill imports contacts today and their history afterwards (or the other way round):
    moving the creation, and the history row that records it, back to the oldest moment keeps
    every duration from creation (time to MQL, time in stage) from going negative.
    """
    first = contact.created_at
    if moment >= first:
        return
    if contact.stored:
        changes.connection.execute(
            contact_statements.MOVE_CREATION,
            {"_contact_id": contact.id, "_first": first, "_moment": moment},
        )
    else:
        for row in changes.new_rows("stage_history"):
            if row["contact_id"] is contact and row["cause"] == "created":
                row["at"] = moment
    contact.created_at = moment
    if contact.stage_changed_at == first and contact.stage == "subscriber":
        contact.stage_changed_at = moment
    changes.touched(contact)


def new_contact(
    rt: Runtime, ws: WorkingSet, changes: Changes, email: str, now: datetime
) -> ContactRow:
    """A subscriber with an empty ledger, and the history row of its creation."""
    model = rt.workspace.scoring
    contact = ContactRow(
        id=None,
        email=email,
        first_name=None,
        last_name=None,
        job_title=None,
        company=None,
        company_size=None,
        industry=None,
        country=None,
        timezone=None,
        source=None,
        attributes={},
        stage="subscriber",
        score=0,
        band=model.band(0),
        grade=model.grade(0),
        owner=None,
        last_active_at=None,
        scored_until=None,
        decay_due_at=None,
        stage_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    changes.add_record(contact)
    ws.contacts[email] = contact
    ws.enrollments[email] = []
    ws.books[email] = ScoreBook(model)
    ws.fit[email] = {}
    changes.add(
        "stage_history",
        {
            "contact_id": contact,
            "from_stage": None,
            "to_stage": "subscriber",
            "cause": "created",
            "event_id": None,
            "at": now,
        },
    )
    return contact


def score(
    rt: Runtime, changes: Changes, contact: ContactRow, book: ScoreBook, event: Event, row: Row
) -> int:
    """Catch the contact's decay up to the event, then award its rules; return points awarded."""
    rows = book.on_event(event, row)
    write_rows(changes, contact, rows)
    keep_in_step(book, contact, rt.workspace.scoring)
    return sum(entry.points for entry in rows if entry.kind == "behaviour")


def write_rows(changes: Changes, contact: ContactRow, rows: list[BookRow]) -> None:
    """The book's new rows into the ledger (one of no points is left out), and the score."""
    for entry in rows:
        if entry.points:
            changes.add(
                "score_ledger",
                _ledger(
                    contact,
                    entry.rule,
                    entry.kind,
                    entry.points,
                    entry.reason,
                    entry.event,
                    entry.at,
                ),
            )
            contact.score += entry.points


def _ledger(
    contact: ContactRow, rule: str, kind: str, points: int, reason: str, event: Any, at: datetime
) -> Row:
    return {
        "contact_id": contact,
        "rule": rule,
        "kind": kind,
        "points": points,
        "reason": reason,
        "event_id": event,
        "at": at,
    }


def apply_lifecycle(
    rt: Runtime,
    ws: WorkingSet,
    changes: Changes,
    contact: ContactRow,
    now: datetime,
    event_types: Collection[str] = (),
    event: Row | None = None,
) -> list[str]:
    """The automatic forward transitions, each with its history row; an MQL is handed off."""
    moves = rt.workspace.lifecycle.transitions(
        contact.stage, contact.score, contact.grade, event_types
    )
    for move in moves:
        changes.add(
            "stage_history",
            {
                "contact_id": contact,
                "from_stage": move.from_stage,
                "to_stage": move.to_stage,
                "cause": move.cause,
                "event_id": event,
                "at": now,
            },
        )
        contact.stage = move.to_stage
        contact.stage_changed_at = now
        if move.to_stage == "mql":
            hand_off(rt, ws, changes, contact, now)
    return [move.to_stage for move in moves]


def hand_off(
    rt: Runtime, ws: WorkingSet, changes: Changes, contact: ContactRow, now: datetime
) -> None:
    """Owner by route or round-robin, SLA due time, the audit row, the owner's notifications."""
    rules = rt.workspace.handoff
    owner, note = choose_owner(rules, ws.profile(contact), ws.last_owner)
    ws.assigned(owner)
    due = rules.due(now)
    handoff = changes.add(
        "handoffs",
        {
            "contact_id": contact,
            "owner": owner,
            "status": "pending",
            "sla_due_at": due,
            "check_at": due,
            "reason": None,
            "details": handoff_details(contact),
            "created_at": now,
            "responded_at": None,
        },
    )
    handoff_event(changes, handoff, "assigned", note, assigned_data(owner, due), now)
    contact.owner = owner
    queue_crm_webhook(rt, changes, handoff, contact, now, "mql")
    if rules.email_owner:
        message = new_mql(cast(Any, contact), cast(Any, _Handed(owner, due)))
        queue_email(changes, handoff, message.to, message.subject, message.lines, now)


def handoff_event(
    changes: Changes, handoff: Any, kind: str, detail: str, data: dict[str, Any], now: datetime
) -> None:
    """A line of the handoff's audit trail (engine/handoff.record's row)."""
    changes.add("handoff_events", event_row(handoff, kind, detail, data, now))


def queue_email(
    changes: Changes, handoff: Any, to: str, subject: str, lines: list[str], now: datetime
) -> None:
    """An email about ``handoff`` (a buffered row or a stored record), for the sweep to send."""
    payload = {"subject": subject, "lines": lines}
    changes.add("notifications", notification_row(handoff, "email", to, payload, now))


def queue_crm_webhook(
    rt: Runtime, changes: Changes, handoff: Any, contact: ContactRow, now: datetime, reason: str
) -> None:
    """The CRM push, if a CRM URL is configured. It carries the contact's whole history as
    stored: write the buffers first, then let the notifications module build it (as rare as
    an MQL or an escalation)."""
    if rt.crm.target(rt.workspace.handoff.webhook_url) is None:
        return
    changes.flush()
    with Session(bind=changes.connection) as session:
        stored_handoff = session.get_one(models.Handoff, ref(handoff))
        stored_contact = session.get_one(models.Contact, contact.id)
        queue_webhook(rt, session, stored_handoff, stored_contact, now, reason)
        session.flush()


def suppress(
    ws: WorkingSet, changes: Changes, email: str, reason: str, at: datetime, event: Row
) -> None:
    """Suppress ``email`` by engine/suppression.py's rule: a reason the contact cannot undo
    replaces one it can; otherwise the first reason stays."""
    found = ws.suppressions.get(email)
    if found is None:
        ws.suppressions[email] = changes.add(
            "suppressions", {"email": email, "reason": reason, "event_id": event, "created_at": at}
        )
    elif found["reason"] in LIFTABLE and reason not in LIFTABLE:
        if found["id"] is None:  # still in the buffers
            found.update(reason=reason, event_id=event, created_at=at)
            return
        changes.flush()  # the row will refer to this event: written first (as rare as a lift)
        changes.connection.execute(
            suppressions.REPLACE_REASON,
            {
                "suppression_id": found["id"],
                "new_reason": reason,
                "new_event_id": event["id"],
                "new_created_at": at,
            },
        )
        found["reason"] = reason


def lift(ws: WorkingSet, changes: Changes, email: str) -> None:
    """A resubscribe removes an unsubscribe; written at once, as rare as it is."""
    found = ws.suppressions.get(email)
    if found is None or found["reason"] not in LIFTABLE:
        return
    changes.flush()
    changes.connection.execute(suppressions.DELETE, {"id": found["id"]})
    del ws.suppressions[email]


def react(
    rt: Runtime,
    ws: WorkingSet,
    changes: Changes,
    contact: ContactRow,
    now: datetime,
    event: TriggerEvent | None = None,
) -> None:
    enrollments = ws.enrollments[contact.email]

    def enter(journey: Journey) -> None:
        assert journey.first is not None
        enrollment = EnrollmentRow(
            id=None,
            contact_id=contact,
            journey_id=journey.id,
            version_id=ws.current_version(journey.id),
            status="active",
            current_step=journey.first.id,
            step_entered_at=now,
            next_run_at=now,
            attempts=0,
            last_error=None,
            exit_reason=None,
            path=first_visit(journey),
            enrolled_at=now,
            finished_at=None,
        )
        changes.add_record(enrollment)
        enrollments.append(enrollment)

    react_on(
        rt,
        contact,
        list(enrollments),
        now,
        event,
        False,
        journey_for=ws.journey,
        facts_for=lambda enrollment: ws.facts(changes, contact, enrollment),
        changed=changes.touched,
        enter=enter,
        profile=ws.profile(contact),
    )


def is_machine_open(data: EventIn) -> bool:
    """An open made by a privacy proxy (Apple Mail Privacy Protection), not by a person.

    Stored for the record, but it neither scores nor counts as engagement.
    """
    return data.type == "email_opened" and data.properties.get("machine_open") is True


def suppression_reason(data: EventIn) -> str | None:
    if data.type == "email_bounced" and data.properties.get("bounce_type") == "hard":
        return "hard_bounce"
    return SUPPRESSING.get(data.type)
