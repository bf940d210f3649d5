"""The stage funnel: how many contacts reached each stage, and the conversion between them.

A contact has reached a stage when its history (or its current stage) ever went that far:
stages move forward only, so one that skipped SAL on its way to SQL still passed SAL.
Recycled and disqualified rows do not lower what a contact once reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, case, func, literal_column, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.types import String

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.scope import Cohort, Scope, Statement, rate, stage_rank
from nurture.store.models import Contact, Event, StageChange

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


def highest_stage_reached() -> Any:
    """Named statement: per contact, the highest funnel rank its history ever recorded."""
    return (
        select(
            StageChange.contact_id,
            func.max(stage_rank(StageChange.to_stage)).label("top"),
        )
        .group_by(StageChange.contact_id)
        .subquery("reached")
    )


def stage_counts(scope: Scope, dimension: Any = None) -> Statement:
    """Named statement: contacts that reached each stage, per cohort (and ``dimension``)."""
    reached = highest_stage_reached()
    current = stage_rank(Contact.stage)
    top = case(
        (reached.c.top.is_(None), current),
        (current.is_(None), reached.c.top),
        (reached.c.top > current, reached.c.top),
        else_=current,
    )
    group = dimension if dimension is not None else literal_column("''", String)
    contacts = (
        select(
            scope.cohort_of(Contact.created_at).label("cohort"),
            group.label("grp"),
            top.label("top"),
        )
        .select_from(Contact)
        .outerjoin(reached, reached.c.contact_id == Contact.id)
        .where(*scope.window(Contact.created_at))
        .subquery("contacts_reached")
    )
    return (
        select(
            contacts.c.cohort,
            contacts.c.grp,
            *[
                func.coalesce(func.sum(case((contacts.c.top >= rank, 1), else_=0)), 0).label(stage)
                for rank, stage in enumerate(FUNNEL)
            ],
        )
        .group_by(contacts.c.cohort, contacts.c.grp)
        .order_by(contacts.c.cohort, contacts.c.grp)
    )


@dataclass(frozen=True)
class PeriodRow:
    period: str
    entered: dict[str, int] = field(default_factory=dict)

    def rate(self, start: str, end: str) -> float | None:
        return rate(self.entered[end], self.entered[start])


def stage_ranks() -> Any:
    """The funnel ranks after subscriber (1 lead .. 6 customer), as a table to join."""
    return union_all(
        *[select(literal_column(str(r), Integer).label("rank")) for r in range(1, len(FUNNEL))]
    ).subquery("ranks")


def first_reached_per_period(scope: Scope, unit: Cohort) -> Statement:
    """Named statement: contacts first reaching each stage, per week or month of that moment.

    A contact reaches rank r at its first history row of rank r or above, so a skipped
    stage is reached together with the one after it.
    """
    ranks = stage_ranks()
    firsts = (
        select(
            StageChange.contact_id,
            ranks.c.rank,
            func.min(StageChange.at).label("at"),
        )
        .select_from(StageChange)
        .join(ranks, stage_rank(StageChange.to_stage) >= ranks.c.rank)
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(*scope.window(Contact.created_at))
        .group_by(StageChange.contact_id, ranks.c.rank)
        .subquery("firsts")
    )
    period = scope.period_of(firsts.c.at, unit)
    return (
        select(period.label("period"), firsts.c.rank, func.count().label("contacts"))
        .group_by(period, firsts.c.rank)
        .order_by(period, firsts.c.rank)
    )


def reached_over_time(connection: Connection, scope: Scope, unit: Cohort) -> list[PeriodRow]:
    rows: dict[str, PeriodRow] = {}
    for r in connection.execute(first_reached_per_period(scope, unit)):
        row = rows.setdefault(r.period, PeriodRow(r.period, dict.fromkeys(FUNNEL[1:], 0)))
        row.entered[FUNNEL[r.rank]] = int(r.contacts)
    return list(rows.values())


def source_of() -> Any:
    return func.coalesce(Contact.source, "(none)")


def first_touch_campaign() -> Any:
    """The contact's ``attributes.campaign``, else the first event's ``utm_campaign``."""
    utm = Event.properties["utm_campaign"].as_string()
    first_utm = (
        select(utm)
        .where(Event.contact_id == Contact.id, utm.is_not(None))
        .order_by(Event.occurred_at, Event.id)
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )
    return func.coalesce(Contact.attributes["campaign"].as_string(), first_utm, "(none)")


def funnel(connection: Connection, scope: Scope, dimension: Any = None) -> list[FunnelRow]:
    return [
        FunnelRow(row.cohort, row.grp, {stage: int(row._mapping[stage]) for stage in FUNNEL})
        for row in connection.execute(stage_counts(scope, dimension))
    ]
