"""Statements of the stage times (nurture/reports/stage_times.py): median stays and time to MQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from nurture.store.models import Contact, StageChange
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_of,
    seconds_between,
    window,
)


def _medians(values: Any, keys: list[str], value: str = "seconds") -> Statement:
    """The median of ``value`` per ``keys`` in a subquery, in SQL on every backend.

    Rows are numbered within each group; the median is the mean of the middle one or two
    (SQLite has no percentile function, so this avoids one on PostgreSQL too).
    """
    partition = [values.c[k] for k in keys]
    numbered = (
        values.select()
        .add_columns(
            func.row_number()
            .over(partition_by=partition, order_by=values.c[value])
            .label("position"),
            func.count().over(partition_by=partition).label("size"),
        )
        .subquery("numbered")
    )
    middle = numbered.c.position.in_([(numbered.c.size + 1) // 2, (numbered.c.size + 2) // 2])
    return (
        select(
            *[numbered.c[k] for k in keys],
            func.avg(numbered.c[value]).label("median"),
            func.max(numbered.c.size).label("n"),
        )
        .where(middle)
        .group_by(*[numbered.c[k] for k in keys])
    )


def _finished_stays(scope: Scope) -> Any:
    """Every stay in a stage that has ended, with its length in seconds."""
    left = func.lead(StageChange.at).over(
        partition_by=StageChange.contact_id, order_by=(StageChange.at, StageChange.id)
    )
    stays = (
        select(
            cohort_of(scope, Contact.created_at).label("cohort"),
            StageChange.to_stage.label("stage"),
            StageChange.at.label("entered"),
            left.label("left"),
        )
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(*window(scope, Contact.created_at))
        .subquery("stays")
    )
    return (
        select(
            stays.c.cohort,
            stays.c.stage,
            seconds_between(scope, stays.c.entered, stays.c.left).label("seconds"),
        )
        .where(stays.c.left.is_not(None))
        .subquery("finished")
    )


def _time_to_mql(scope: Scope) -> Any:
    """Per contact that became an MQL, seconds from creation to its first MQL."""
    first_mql = func.min(StageChange.at)
    return (
        select(
            cohort_of(scope, Contact.created_at).label("cohort"),
            seconds_between(scope, Contact.created_at, first_mql).label("seconds"),
        )
        .select_from(StageChange)
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(StageChange.to_stage == "mql", *window(scope, Contact.created_at))
        .group_by(Contact.id, Contact.created_at)
        .subquery("to_mql")
    )


def stay_medians(scope: Scope) -> Statement:
    """The median finished stay and the stays counted, per cohort and stage (range's contacts)."""
    return _medians(_finished_stays(scope), ["cohort", "stage"])


def time_to_mql_medians(scope: Scope) -> Statement:
    """The median time to first MQL and the MQLs counted, per cohort of the range's contacts."""
    return _medians(_time_to_mql(scope), ["cohort"])
