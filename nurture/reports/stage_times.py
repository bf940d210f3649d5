"""How long contacts stay in each stage, and how long they take to become MQLs (medians).

A stay ends at the contact's next stage change; stays still open are left out (their
length is not known yet) and the count says how many stays each median is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from nurture.domain.lifecycle import ALL_STAGES
from nurture.reports.scope import Scope, medians
from nurture.store.models import Contact, StageChange


@dataclass(frozen=True)
class StageTime:
    cohort: str
    stage: str
    median_seconds: float
    stays: int


def finished_stays(scope: Scope) -> Any:
    """Named statement: every stay in a stage that has ended, with its length in seconds."""
    left = func.lead(StageChange.at).over(
        partition_by=StageChange.contact_id, order_by=(StageChange.at, StageChange.id)
    )
    stays = (
        select(
            scope.cohort_of(Contact.created_at).label("cohort"),
            StageChange.to_stage.label("stage"),
            StageChange.at.label("entered"),
            left.label("left"),
        )
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(*scope.window(Contact.created_at))
        .subquery("stays")
    )
    return (
        select(
            stays.c.cohort,
            stays.c.stage,
            scope.seconds_between(stays.c.entered, stays.c.left).label("seconds"),
        )
        .where(stays.c.left.is_not(None))
        .subquery("finished")
    )


def time_to_mql(scope: Scope) -> Any:
    """Named statement: per contact that became an MQL, seconds from creation to its first MQL."""
    first_mql = func.min(StageChange.at)
    return (
        select(
            scope.cohort_of(Contact.created_at).label("cohort"),
            scope.seconds_between(Contact.created_at, first_mql).label("seconds"),
        )
        .select_from(StageChange)
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(StageChange.to_stage == "mql", *scope.window(Contact.created_at))
        .group_by(Contact.id, Contact.created_at)
        .subquery("to_mql")
    )


def stage_times(connection: Connection, scope: Scope) -> list[StageTime]:
    order = {stage: i for i, stage in enumerate(ALL_STAGES)}
    rows = connection.execute(medians(finished_stays(scope), ["cohort", "stage"])).all()
    found = [StageTime(r.cohort, r.stage, float(r.median), int(r.n)) for r in rows]
    to_mql = connection.execute(medians(time_to_mql(scope), ["cohort"])).all()
    found += [StageTime(r.cohort, "time to mql", float(r.median), int(r.n)) for r in to_mql]
    return sorted(found, key=lambda t: (t.cohort, order.get(t.stage, len(order))))
