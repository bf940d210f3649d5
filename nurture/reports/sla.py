"""The handoff SLA: did sales respond in time, which handoffs breached it, what was recycled.

A handoff responded in time when ``responded_at <= sla_due_at``; one with no response is
breached once its due time has passed at the report's ``as_of`` (the end of the range, or
now), open before that. Handoffs count by ``created_at``, recycles by the time they happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope, Statement
from nurture.store.models import Contact, Handoff, StageChange


@dataclass(frozen=True)
class SlaRow:
    cohort: str
    owner: str
    handed: int
    in_time: int
    late: int
    breached: int
    open: int


@dataclass(frozen=True)
class Reason:
    cohort: str
    kind: str
    reason: str
    count: int


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sla_compliance(scope: Scope) -> Statement:
    """Named statement: handoffs per owner by whether sales answered within the SLA."""
    answered = Handoff.responded_at.is_not(None)
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Handoff.owner,
            func.count().label("handed"),
            _count(answered & (Handoff.responded_at <= Handoff.sla_due_at)).label("in_time"),
            _count(answered & (Handoff.responded_at > Handoff.sla_due_at)).label("late"),
            _count(~answered & (Handoff.sla_due_at < scope.as_of)).label("breached"),
            _count(~answered & (Handoff.sla_due_at >= scope.as_of)).label("open"),
        )
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*scope.window(Handoff.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Handoff.owner)
        .order_by(*scope.cohort_groups(Contact.created_at), Handoff.owner)
    )


def handoff_statuses(scope: Scope) -> Statement:
    """Named statement: handoffs per status and reason (rejections carry their reason)."""
    cohort = scope.cohort_of(Contact.created_at)
    reason = func.coalesce(Handoff.reason, "")
    return (
        select(cohort.label("cohort"), Handoff.status, reason.label("reason"), func.count())
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*scope.window(Handoff.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Handoff.status, reason)
        .order_by(*scope.cohort_groups(Contact.created_at), Handoff.status, reason)
    )


def recycle_causes(scope: Scope) -> Statement:
    """Named statement: contacts recycled to marketing (or disqualified), per recorded cause."""
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(cohort.label("cohort"), StageChange.to_stage, StageChange.cause, func.count())
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(
            StageChange.to_stage.in_(("recycled", "disqualified")),
            *scope.window(StageChange.at),
        )
        .group_by(*scope.cohort_groups(Contact.created_at), StageChange.to_stage, StageChange.cause)
        .order_by(*scope.cohort_groups(Contact.created_at), StageChange.to_stage, StageChange.cause)
    )


def sla(connection: Connection, scope: Scope) -> list[SlaRow]:
    return [
        SlaRow(
            r.cohort,
            r.owner,
            int(r.handed),
            int(r.in_time),
            int(r.late),
            int(r.breached),
            int(r.open),
        )
        for r in connection.execute(sla_compliance(scope))
    ]


def reasons(connection: Connection, scope: Scope) -> list[Reason]:
    statuses = [
        Reason(cohort, f"handoff {status}", reason, int(n))
        for cohort, status, reason, n in connection.execute(handoff_statuses(scope))
    ]
    recycled = [
        Reason(cohort, stage, cause, int(n))
        for cohort, stage, cause, n in connection.execute(recycle_causes(scope))
    ]
    return statuses + recycled
