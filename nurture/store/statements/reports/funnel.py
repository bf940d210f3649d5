"""Statements of the stage funnel (nurture/reports/funnel.py): stages reached, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, case, func, literal_column, select, union_all
from sqlalchemy.types import String

from nurture.domain.lifecycle import FUNNEL
from nurture.store.models import Contact, Event, StageChange
from nurture.store.statements.reports.scope import (
    Cohort,
    Scope,
    Statement,
    cohort_of,
    period_of,
    window,
)


def _stage_rank(stage: Any) -> ColumnElement[int]:
    """A funnel stage's position (subscriber 0 .. customer 6); NULL for recycled/disqualified."""
    return case({name: i for i, name in enumerate(FUNNEL)}, value=stage, else_=None)


def _highest_stage_reached() -> Any:
    """Per contact, the highest funnel rank its history ever recorded."""
    return (
        select(
            StageChange.contact_id,
            func.max(_stage_rank(StageChange.to_stage)).label("top"),
        )
        .group_by(StageChange.contact_id)
        .subquery("reached")
    )


def source_of() -> ColumnElement[str]:
    """The contact's lead source, "(none)" when unknown: a dimension of :func:`stage_counts`."""
    return func.coalesce(Contact.source, "(none)")


def first_touch_campaign() -> ColumnElement[str]:
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


def stage_counts(scope: Scope, dimension: ColumnElement[str] | None = None) -> Statement:
    """Contacts that reached each stage, per cohort (and ``dimension``), in the scope's range."""
    reached = _highest_stage_reached()
    current = _stage_rank(Contact.stage)
    top = case(
        (reached.c.top.is_(None), current),
        (current.is_(None), reached.c.top),
        (reached.c.top > current, reached.c.top),
        else_=current,
    )
    group = dimension if dimension is not None else literal_column("''", String)
    contacts = (
        select(
            cohort_of(scope, Contact.created_at).label("cohort"),
            group.label("grp"),
            top.label("top"),
        )
        .select_from(Contact)
        .outerjoin(reached, reached.c.contact_id == Contact.id)
        .where(*window(scope, Contact.created_at))
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


def _stage_ranks() -> Any:
    """The funnel ranks after subscriber (1 lead .. 6 customer), as a table to join."""
    return union_all(
        *[select(literal_column(str(r), Integer).label("rank")) for r in range(1, len(FUNNEL))]
    ).subquery("ranks")


def first_reached_per_period(scope: Scope, unit: Cohort) -> Statement:
    """Contacts of the scope's range first reaching each stage, per week or month of that moment.

    A contact reaches rank r at its first history row of rank r or above, so a skipped
    stage is reached together with the one after it.
    """
    ranks = _stage_ranks()
    firsts = (
        select(
            StageChange.contact_id,
            ranks.c.rank,
            func.min(StageChange.at).label("at"),
        )
        .select_from(StageChange)
        .join(ranks, _stage_rank(StageChange.to_stage) >= ranks.c.rank)
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(*window(scope, Contact.created_at))
        .group_by(StageChange.contact_id, ranks.c.rank)
        .subquery("firsts")
    )
    period = period_of(scope, firsts.c.at, unit)
    return (
        select(period.label("period"), firsts.c.rank, func.count().label("contacts"))
        .group_by(period, firsts.c.rank)
        .order_by(period, firsts.c.rank)
    )
