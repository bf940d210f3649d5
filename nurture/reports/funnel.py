"""The stage funnel: how many contacts reached each stage, and the conversion between them.

A contact has reached a stage when its history (or its current stage) ever went that far:
stages move forward only, so one that skipped SAL on its way to SQL still passed SAL.
Recycled and disqualified rows do not lower what a contact once reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.scope import Cohort, Scope, rate
from nurture.store.statements.reports.funnel import first_reached_per_period, stage_counts
from nurture.store.statements.reports.funnel import first_touch_campaign as first_touch_campaign
from nurture.store.statements.reports.funnel import source_of as source_of

CONVERSIONS = (
    ("lead", "mql"),
    ("mql", "sal"),
    ("sal", "sql"),
    ("sql", "opportunity"),
    ("opportunity", "customer"),
    ("mql", "sql"),
    ("mql", "customer"),
)


@dataclass(frozen=True)
class FunnelRow:
    cohort: str
    group: str
    reached: dict[str, int] = field(default_factory=dict)

    def rate(self, start: str, end: str) -> float | None:
        return rate(self.reached[end], self.reached[start])


@dataclass(frozen=True)
class PeriodRow:
    period: str
    entered: dict[str, int] = field(default_factory=dict)

    def rate(self, start: str, end: str) -> float | None:
        return rate(self.entered[end], self.entered[start])


def reached_over_time(connection: Connection, scope: Scope, unit: Cohort) -> list[PeriodRow]:
    rows: dict[str, PeriodRow] = {}
    for r in connection.execute(first_reached_per_period(scope, unit)):
        row = rows.setdefault(r.period, PeriodRow(r.period, dict.fromkeys(FUNNEL[1:], 0)))
        row.entered[FUNNEL[r.rank]] = int(r.contacts)
    return list(rows.values())


def funnel(connection: Connection, scope: Scope, dimension: Any = None) -> list[FunnelRow]:
    """The funnel per cohort, grouped by ``dimension`` (a store expression: source_of(), ...)."""
    return [
        FunnelRow(row.cohort, row.grp, {stage: int(row._mapping[stage]) for stage in FUNNEL})
        for row in connection.execute(stage_counts(scope, dimension))
    ]
