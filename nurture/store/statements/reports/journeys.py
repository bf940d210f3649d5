"""Statements of the journeys report (nurture/reports/journeys.py): outcomes and per-step counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select

from nurture.store.models import Contact, Enrollment, Event, Journey, JourneyVersion, Message
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_groups,
    cohort_of,
    window,
)

GOAL_PREFIX = "goal reached:"
"""How the exit reason of an enrollment that reached its journey's goal begins."""


def goal_reached() -> Any:
    """An enrollment's exit reason says it reached its goal."""
    return Enrollment.exit_reason.like(f"{GOAL_PREFIX}%")


def enrollment_outcomes(scope: Scope) -> Statement:
    """Enrollments of the range per cohort and journey, by how they stand or ended."""
    cohort = cohort_of(scope, Contact.created_at)
    status = Enrollment.status

    def count(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((*conditions, 1), else_=0)), 0)

    return (
        select(
            cohort.label("cohort"),
            Enrollment.journey_id,
            func.count().label("enrolled"),
            count(status == "active").label("active"),
            count(status == "completed").label("completed"),
            func.coalesce(
                func.sum(case(((status == "exited") & goal_reached(), 1), else_=0)), 0
            ).label("goal"),
            func.coalesce(
                func.sum(case(((status == "exited") & ~goal_reached(), 1), else_=0)), 0
            ).label("exited"),
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(*window(scope, Enrollment.enrolled_at))
        .group_by(*cohort_groups(scope, Contact.created_at), Enrollment.journey_id)
        .order_by(*cohort_groups(scope, Contact.created_at), Enrollment.journey_id)
    )


def messages_per_step(scope: Scope) -> Statement:
    """Messages of the range sent and failed per cohort and journey step."""
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Message.journey_id.label("journey"),
            Message.step_id.label("step"),
            func.coalesce(func.sum(case((Message.status == "sent", 1), else_=0)), 0).label("sent"),
            func.coalesce(func.sum(case((Message.status == "failed", 1), else_=0)), 0).label(
                "failed"
            ),
        )
        .join(Contact, Contact.id == Message.contact_id)
        .where(Message.journey_id.is_not(None), *window(scope, Message.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at), Message.journey_id, Message.step_id)
    )


def engagement_per_step(scope: Scope) -> Statement:
    """Distinct messages delivered, opened (by people) and clicked per step, (range's events)."""
    cohort = cohort_of(scope, Contact.created_at)
    journey = Event.properties["journey"].as_string()
    step = Event.properties["step"].as_string()
    message = Event.properties["message_id"].as_string()
    machine = Event.properties["machine_open"].as_boolean()
    human = or_(machine.is_(None), machine.is_(False))

    def distinct(condition: Any) -> Any:
        return func.count(func.distinct(case((condition, message), else_=None)))

    return (
        select(
            cohort.label("cohort"),
            journey.label("journey"),
            step.label("step"),
            distinct(Event.type == "email_delivered").label("delivered"),
            distinct((Event.type == "email_opened") & human).label("opened"),
            distinct(Event.type == "email_clicked").label("clicked"),
        )
        .join(Contact, Contact.id == Event.contact_id)
        .where(
            Event.type.in_(("email_delivered", "email_opened", "email_clicked")),
            journey.is_not(None),
            *window(scope, Event.occurred_at),
        )
        .group_by(*cohort_groups(scope, Contact.created_at), journey, step)
    )


def exits_per_step(scope: Scope) -> Statement:
    """Finished enrollments of the range per the step they left at, goal or other exit."""
    cohort = cohort_of(scope, Contact.created_at)
    exited = Enrollment.status == "exited"
    return (
        select(
            cohort.label("cohort"),
            Enrollment.journey_id.label("journey"),
            Enrollment.current_step.label("step"),
            func.coalesce(func.sum(case((exited & goal_reached(), 1), else_=0)), 0).label("goal"),
            func.coalesce(func.sum(case((exited & ~goal_reached(), 1), else_=0)), 0).label(
                "exited"
            ),
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(
            exited,
            Enrollment.current_step.is_not(None),
            *window(scope, Enrollment.enrolled_at),
        )
        .group_by(
            *cohort_groups(scope, Contact.created_at),
            Enrollment.journey_id,
            Enrollment.current_step,
        )
    )


CURRENT_STEPS = (
    select(Journey.id, JourneyVersion.definition)
    .join(JourneyVersion, JourneyVersion.journey_id == Journey.id)
    .where(JourneyVersion.version == Journey.current_version)
    .order_by(Journey.id)
)
"""Each journey's current definition, for the order of its steps."""
