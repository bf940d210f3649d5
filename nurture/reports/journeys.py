"""Journeys: who entered, how each ended, and per step what was sent, delivered, opened,
clicked, and where contacts left (goal reached or exited).

Enrollments are counted by ``enrolled_at``, messages by ``created_at`` and email events by
``occurred_at`` within the range. Delivered, opened and clicked count distinct messages from
``email_delivered`` / ``email_opened`` / ``email_clicked`` events, whose properties carry
``message_id``, ``journey`` and ``step``; opens flagged ``machine_open: true`` (privacy
proxies) are not engagement and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope, Statement
from nurture.store.models import Contact, Enrollment, Event, Journey, JourneyVersion, Message

GOAL_PREFIX = "goal reached:"
STEP_COUNTS = ("sent", "failed", "delivered", "opened", "clicked", "goal", "exited")


@dataclass(frozen=True)
class JourneyRow:
    cohort: str
    journey: str
    enrolled: int
    active: int
    completed: int
    goal: int
    exited: int


@dataclass
class StepRow:
    cohort: str
    journey: str
    step: str
    kind: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEP_COUNTS, 0))


def _goal() -> Any:
    return Enrollment.exit_reason.like(f"{GOAL_PREFIX}%")


def enrollment_outcomes(scope: Scope) -> Statement:
    """Named statement: enrollments per journey by how they stand or ended."""
    cohort = scope.cohort_of(Contact.created_at)
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
            func.coalesce(func.sum(case(((status == "exited") & _goal(), 1), else_=0)), 0).label(
                "goal"
            ),
            func.coalesce(func.sum(case(((status == "exited") & ~_goal(), 1), else_=0)), 0).label(
                "exited"
            ),
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(*scope.window(Enrollment.enrolled_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Enrollment.journey_id)
        .order_by(*scope.cohort_groups(Contact.created_at), Enrollment.journey_id)
    )


def messages_per_step(scope: Scope) -> Statement:
    """Named statement: messages sent and failed per journey step."""
    cohort = scope.cohort_of(Contact.created_at)
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
        .where(Message.journey_id.is_not(None), *scope.window(Message.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Message.journey_id, Message.step_id)
    )


def engagement_per_step(scope: Scope) -> Statement:
    """Named statement: distinct messages delivered, opened (by people) and clicked per step."""
    cohort = scope.cohort_of(Contact.created_at)
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
            *scope.window(Event.occurred_at),
        )
        .group_by(*scope.cohort_groups(Contact.created_at), journey, step)
    )


def exits_per_step(scope: Scope) -> Statement:
    """Named statement: finished enrollments per the step they left at, goal or other exit."""
    cohort = scope.cohort_of(Contact.created_at)
    exited = Enrollment.status == "exited"
    return (
        select(
            cohort.label("cohort"),
            Enrollment.journey_id.label("journey"),
            Enrollment.current_step.label("step"),
            func.coalesce(func.sum(case((exited & _goal(), 1), else_=0)), 0).label("goal"),
            func.coalesce(func.sum(case((exited & ~_goal(), 1), else_=0)), 0).label("exited"),
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .where(exited, Enrollment.current_step.is_not(None), *scope.window(Enrollment.enrolled_at))
        .group_by(
            *scope.cohort_groups(Contact.created_at),
            Enrollment.journey_id,
            Enrollment.current_step,
        )
    )


def current_steps() -> Statement:
    """Named statement: each journey's current definition, for the order of its steps."""
    return (
        select(Journey.id, JourneyVersion.definition)
        .join(JourneyVersion, JourneyVersion.journey_id == Journey.id)
        .where(JourneyVersion.version == Journey.current_version)
        .order_by(Journey.id)
    )


def journeys(connection: Connection, scope: Scope) -> list[JourneyRow]:
    return [
        JourneyRow(
            r.cohort,
            r.journey_id,
            int(r.enrolled),
            int(r.active),
            int(r.completed),
            int(r.goal),
            int(r.exited),
        )
        for r in connection.execute(enrollment_outcomes(scope))
    ]


def steps(connection: Connection, scope: Scope) -> list[StepRow]:
    """Every step of every journey (in definition order, then steps of older versions)."""
    order: dict[tuple[str, str], tuple[int, str]] = {}
    for journey_id, definition in connection.execute(current_steps()):
        for i, step in enumerate(definition.get("steps", [])):
            order[(journey_id, str(step.get("id")))] = (i, str(step.get("type", "")))
    rows: dict[tuple[str, str, str], StepRow] = {}
    cohorts: set[str] = set()
    for statement in (messages_per_step, engagement_per_step, exits_per_step):
        for r in connection.execute(statement(scope)):
            key = (r.cohort, r.journey, r.step)
            cohorts.add(r.cohort)
            found = order.get((r.journey, r.step), (len(order), ""))
            row = rows.setdefault(key, StepRow(r.cohort, r.journey, r.step, found[1]))
            for name, value in r._mapping.items():
                if name in STEP_COUNTS:
                    row.counts[name] += int(value or 0)
    for cohort in cohorts:
        for (journey_id, step_id), (_, kind) in order.items():
            rows.setdefault(
                (cohort, journey_id, step_id), StepRow(cohort, journey_id, step_id, kind)
            )
    return sorted(
        rows.values(),
        key=lambda s: (s.cohort, s.journey, order.get((s.journey, s.step), (10**6, ""))[0], s.step),
    )
