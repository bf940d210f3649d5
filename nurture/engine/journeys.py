"""Journeys react to contacts: publish versions, enroll, exit on goals."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from nurture.domain.conditions import Facts, Subject
from nurture.domain.contacts import Profile, State
from nurture.domain.journeys import Journey, TriggerEvent
from nurture.domain.steps import WaitForStep
from nurture.engine.facts import StoredFacts
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.errors import DefinitionError
from nurture.store import models
from nurture.store.statements import enrollments as enrollment_statements
from nurture.store.statements import journeys as journey_statements


def publish_journeys(rt: Runtime) -> dict[str, int]:
    """Make each journey's current definition a stored version; return journey -> version.

    All or nothing: running enrollments stay on their version unless the journey's
    ``migrate`` map moves them; a removed step that still holds enrollments and has no
    mapping refuses the whole publication, naming how many contacts stand on it.
    """
    now = rt.clock.now()
    published = {}
    refusals: list[str] = []
    with rt.sessions.begin() as session:
        for journey in rt.workspace.journeys:
            definition = dict(rt.workspace.definitions[journey.id])
            digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
            row = session.get(models.Journey, journey.id)
            if row is None:
                row = models.Journey(
                    id=journey.id, name=journey.name, current_version=0, updated_at=now
                )
                session.add(row)
            latest = row.versions[-1] if row.versions else None
            if latest is None or latest.digest != digest:
                row.current_version += 1
                row.name = journey.name
                row.updated_at = now
                version = models.JourneyVersion(
                    journey_id=journey.id,
                    version=row.current_version,
                    digest=digest,
                    definition=definition,
                    created_at=now,
                )
                session.add(version)
                session.flush()
                refusals += _migrate(session, journey, version, now)
            published[journey.id] = row.current_version
        if refusals:
            raise DefinitionError(refusals)
    return published


def _migrate(
    session: Session, journey: Journey, version: models.JourneyVersion, now: datetime
) -> list[str]:
    """Move enrollments of older versions along ``journey.migrate``; list what cannot stay."""
    running = session.scalars(
        enrollment_statements.ACTIVE_ON_OLDER_VERSIONS,
        {"journey_id": journey.id, "version_id": version.id},
    ).all()
    stranded: dict[str, int] = {}
    for enrollment in running:
        step = enrollment.current_step
        if step is None:
            continue
        if step in journey.migrate:
            target = journey.migrate[step]
            visits = dict(enrollment.path.get("visits", {}))
            visits[target] = visits.get(target, 0) + 1
            enrollment.version = version
            enrollment.current_step = target
            enrollment.step_entered_at = now
            enrollment.next_run_at = now
            enrollment.path = {**enrollment.path, "visits": visits}
        elif step not in journey.step_ids:
            stranded[step] = stranded.get(step, 0) + 1
    return [
        f"journey {journey.id}: step '{step}' was removed but {count} "
        f"contact{'s are' if count > 1 else ' is'} on it: add `migrate: {{{step}: STEP}}` "
        "to move them, or keep the step"
        for step, count in sorted(stranded.items())
    ]


def state_of(contact: Any) -> State:
    return State(stage=contact.stage, score=contact.score, band=contact.band, grade=contact.grade)


def react(
    rt: Runtime,
    session: Session,
    contact: models.Contact,
    now: datetime,
    event: TriggerEvent | None = None,
    suppressed: bool = False,
) -> None:
    """Called on every change of a contact: exit enrollments whose goal is reached (all of
    them when suppressed), wake those waiting for this event, enroll where admitted."""
    react_on(
        rt,
        contact,
        list(contact.enrollments),
        now,
        event,
        suppressed,
        journey_for=rt.journey_for,
        facts_for=lambda enrollment: StoredFacts(session, contact.id, enrollment),
        changed=lambda _: None,
        enter=lambda journey: enroll(session, contact, journey, now),
    )


def react_on(
    rt: Runtime,
    contact: Any,
    enrollments: Sequence[Any],
    now: datetime,
    event: TriggerEvent | None,
    suppressed: bool,
    *,
    journey_for: Callable[[Any], Journey],
    facts_for: Callable[[Any], Facts],
    changed: Callable[[Any], None],
    enter: Callable[[Journey], object],
    profile: Profile | None = None,
) -> None:
    """:func:`react` for any store: the contact and its ``enrollments`` (ORM rows or intake's
    records) are changed in place, and ``changed`` is told each enrollment that was;
    ``facts_for(enrollment or None)`` answers the conditions; ``enter`` enrolls. ``profile``
    is the contact's, if the caller holds it already."""
    state = state_of(contact)
    subject = Subject(profile or profile_of(contact), state, now)
    for enrollment in enrollments:
        if enrollment.status != "active":
            continue
        if suppressed:
            finish(enrollment, "exited", now, "suppressed")
            changed(enrollment)
            continue
        journey = journey_for(enrollment)
        goal = journey.goal_reached(state, event, subject, facts_for(enrollment))
        if goal is not None:
            finish(enrollment, "exited", now, f"goal reached: {goal.describe()}")
            changed(enrollment)
            continue
        step = journey.step(enrollment.current_step)
        if isinstance(step, WaitForStep) and event is not None and event.type == step.event:
            enrollment.next_run_at = now
            changed(enrollment)
    if suppressed:
        return
    facts = facts_for(None)
    since_recycle = [e for e in enrollments if not _before_recycle(contact, e)]
    for journey in rt.workspace.by_priority:
        if _may_enter(journey, since_recycle, now) and _qualifies(
            journey, state, event, subject, facts
        ):
            enter(journey)
            return  # one journey per change: the highest priority wins


def _may_enter(journey: Journey, enrollments: Sequence[Any], now: datetime) -> bool:
    mine = [e for e in enrollments if e.journey_id == journey.id]
    if any(e.status == "active" for e in mine):
        return False
    if not mine:
        return True
    last = max((e.finished_at for e in mine if e.finished_at is not None), default=None)
    return journey.reentry.allows(last, now)


def _qualifies(
    journey: Journey,
    state: State,
    event: TriggerEvent | None,
    subject: Subject,
    facts: Facts,
) -> bool:
    if journey.first is None or not journey.entry.admits(state, event, subject, facts):
        return False
    return journey.goal_reached(state, event, subject, facts) is None


def first_visit(journey: Journey) -> dict[str, Any]:
    """Where a new enrollment stands: on the journey's first step, visited once."""
    assert journey.first is not None
    return {"visits": {journey.first.id: 1}}


def enroll(
    session: Session, contact: models.Contact, journey: Journey, now: datetime
) -> models.Enrollment:
    assert journey.first is not None
    enrollment = models.Enrollment(
        contact=contact,
        journey_id=journey.id,
        version=current_version(session, journey.id),
        status="active",
        current_step=journey.first.id,
        step_entered_at=now,
        next_run_at=now,
        enrolled_at=now,
        path=first_visit(journey),
    )
    session.add(enrollment)
    return enrollment


def current_version(session: Session, journey_id: str) -> models.JourneyVersion:
    """The journey's published version, read once per transaction: a chunk of events may
    enroll hundreds of contacts."""
    memo: tuple[object, dict[str, models.JourneyVersion]] | None = session.info.get(_VERSIONS)
    if memo is not None and memo[0] is session.get_transaction() and journey_id in memo[1]:
        return memo[1][journey_id]
    version = session.scalars(journey_statements.CURRENT_VERSION, {"journey_id": journey_id}).one()
    transaction = session.get_transaction()  # begun by the query if it was not yet
    if memo is None or memo[0] is not transaction:
        memo = (transaction, {})
        session.info[_VERSIONS] = memo
    memo[1][journey_id] = version
    return version


_VERSIONS = "nurture.current_versions"


def _before_recycle(contact: Any, enrollment: Any) -> bool:
    """A recycled contact may enter again a journey it finished before it was recycled."""
    return (
        contact.stage == "recycled"
        and enrollment.finished_at is not None
        and enrollment.finished_at <= contact.stage_changed_at
    )


def finish(enrollment: Any, status: str, now: datetime, reason: str | None) -> None:
    enrollment.status = status
    enrollment.exit_reason = reason
    enrollment.finished_at = now
    enrollment.next_run_at = None
