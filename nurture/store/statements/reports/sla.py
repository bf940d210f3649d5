"""Statements of the handoff SLA report (nurture/reports/sla.py says what each figure counts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, literal_column, select, union_all
from sqlalchemy.types import String

from nurture.store.models import Contact, Handoff, HandoffEvent, StageChange
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_groups,
    cohort_of,
    window,
)


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _label(name: str) -> Any:
    return literal_column(f"'{name}'", String).label("what")


def owner_events(scope: Scope) -> Statement:
    """Per cohort and owner: handoffs given, reassigned to, reassigned away, escalated.

    One row per (cohort, owner, what): ``assigned`` rows name the owner in ``owner``,
    reassignments the new rep in ``to`` and the one who breached in ``from``; an escalation
    belongs to the handoff's owner (no reassignment follows one).
    """
    E = HandoffEvent
    cohort = cohort_of(scope, Contact.created_at).label("cohort")
    to = E.data["to"].as_string()

    def part(what: str, owner: Any, *conditions: Any) -> Any:
        return (
            select(cohort, owner.label("owner"), _label(what), E.id.label("event_id"))
            .select_from(E)
            .join(Handoff, Handoff.id == E.handoff_id)
            .join(Contact, Contact.id == Handoff.contact_id)
            .where(*conditions, *window(scope, Handoff.created_at))
        )

    escalated = E.kind == "escalated"
    before = E.at < scope.as_of
    rows = union_all(
        part("handed_off", E.data["owner"].as_string(), E.kind == "assigned"),
        part("reassigned_to", to, escalated, to.is_not(None), before),
        part("reassigned_away", E.data["from"].as_string(), escalated, to.is_not(None), before),
        part("escalated", Handoff.owner, escalated, to.is_(None), before),
    ).subquery("owner_events")
    return (
        select(rows.c.cohort, rows.c.owner, rows.c.what, func.count())
        .group_by(rows.c.cohort, rows.c.owner, rows.c.what)
        .order_by(rows.c.cohort, rows.c.owner, rows.c.what)
    )


def sla_compliance(scope: Scope) -> Statement:
    """Per cohort and current owner, how their handoffs were answered, and overdue ones the
    sweep has not handled yet (``check_at`` still set)."""
    answered = Handoff.responded_at.is_not(None)
    unanswered = ~answered & (Handoff.status == "pending")
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Handoff.owner,
            _count(answered & (Handoff.responded_at <= Handoff.sla_due_at)).label("in_time"),
            _count(answered & (Handoff.responded_at > Handoff.sla_due_at)).label("late"),
            _count(unanswered & (Handoff.sla_due_at >= scope.as_of)).label("open"),
            _count(
                and_(
                    unanswered,
                    Handoff.sla_due_at < scope.as_of,
                    Handoff.check_at.is_not(None),
                )
            ).label("overdue"),
        )
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*window(scope, Handoff.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at), Handoff.owner)
        .order_by(*cohort_groups(scope, Contact.created_at), Handoff.owner)
    )


def handoff_totals(scope: Scope) -> Statement:
    """Handoffs of the range and the contacts they were for, per cohort."""
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            func.count(Handoff.id),
            func.count(func.distinct(Handoff.contact_id)),
        )
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*window(scope, Handoff.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at))
        .order_by(*cohort_groups(scope, Contact.created_at))
    )


def handoff_statuses(scope: Scope) -> Statement:
    """Handoffs of the range per cohort, status and reason (rejections carry their reason)."""
    cohort = cohort_of(scope, Contact.created_at)
    reason = func.coalesce(Handoff.reason, "")
    return (
        select(cohort.label("cohort"), Handoff.status, reason.label("reason"), func.count())
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*window(scope, Handoff.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at), Handoff.status, reason)
        .order_by(*cohort_groups(scope, Contact.created_at), Handoff.status, reason)
    )


def recycle_causes(scope: Scope) -> Statement:
    """Contacts recycled to marketing (or disqualified) in the range, per cohort and cause."""
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(cohort.label("cohort"), StageChange.to_stage, StageChange.cause, func.count())
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(
            StageChange.to_stage.in_(("recycled", "disqualified")),
            *window(scope, StageChange.at),
        )
        .group_by(
            *cohort_groups(scope, Contact.created_at), StageChange.to_stage, StageChange.cause
        )
        .order_by(
            *cohort_groups(scope, Contact.created_at), StageChange.to_stage, StageChange.cause
        )
    )
