"""Journeys react to contacts: publish versions, enroll, exit on goals."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.domain.contacts import State
from nurture.engine.runtime import Runtime
from nurture.store import models


def publish_journeys(rt: Runtime) -> dict[str, int]:
    """Make each journey's current definition a stored version; return journey -> version."""
    now = rt.clock.now()
    published = {}
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
                session.add(
                    models.JourneyVersion(
                        journey_id=journey.id,
                        version=row.current_version,
                        digest=digest,
                        definition=definition,
                        created_at=now,
                    )
                )
            published[journey.id] = row.current_version
    return published


def state_of(contact: models.Contact) -> State:
    return State(stage=contact.stage, score=contact.score, band=contact.band, grade=contact.grade)


def react(
    rt: Runtime,
    session: Session,
    contact: models.Contact,
    now: datetime,
    event_types: Collection[str] = (),
    suppressed: bool = False,
) -> None:
    """Exit enrollments whose goal is reached (or all, when suppressed); enroll where admitted."""
    state = state_of(contact)
    enrollments = session.scalars(
        select(models.Enrollment).where(models.Enrollment.contact_id == contact.id)
    ).all()
    for enrollment in enrollments:
        if enrollment.status != "active":
            continue
        if suppressed:
            finish(enrollment, "exited", now, "suppressed")
            continue
        goal = rt.journey_of(enrollment.version).goal_reached(state, event_types)
        if goal is not None:
            finish(enrollment, "exited", now, f"goal reached: {goal.describe()}")
    if suppressed:
        return
    entered = {e.journey_id for e in enrollments if not _before_recycle(contact, e)}
    for journey in rt.workspace.by_priority:
        if journey.id in entered or not journey.entry.admits(state):
            continue
        if journey.goal_reached(state, event_types) or journey.first is None:
            continue
        version = session.scalars(
            select(models.JourneyVersion)
            .join(models.Journey)
            .where(
                models.Journey.id == journey.id,
                models.JourneyVersion.version == models.Journey.current_version,
            )
        ).one()
        session.add(
            models.Enrollment(
                contact_id=contact.id,
                journey_id=journey.id,
                version=version,
                status="active",
                current_step=journey.first.id,
                step_entered_at=now,
                next_run_at=now,
                enrolled_at=now,
            )
        )


def _before_recycle(contact: models.Contact, enrollment: models.Enrollment) -> bool:
    """A recycled contact may enter again a journey it finished before it was recycled."""
    return (
        contact.stage == "recycled"
        and enrollment.finished_at is not None
        and enrollment.finished_at <= contact.stage_changed_at
    )


def finish(enrollment: models.Enrollment, status: str, now: datetime, reason: str | None) -> None:
    enrollment.status = status
    enrollment.exit_reason = reason
    enrollment.finished_at = now
    enrollment.next_run_at = None
    enrollment.lease_owner = None
    enrollment.lease_until = None
