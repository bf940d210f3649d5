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

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.journeys import (
    CURRENT_STEPS,
    engagement_per_step,
    enrollment_outcomes,
    exits_per_step,
    messages_per_step,
)

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
    for journey_id, definition in connection.execute(CURRENT_STEPS):
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
