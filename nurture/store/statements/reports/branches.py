"""Statements of the branch decisions (nurture/reports/branches.py): decisions per way."""

from __future__ import annotations

from sqlalchemy import func, select

from nurture.store.models import BranchDecision, Contact
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_groups,
    cohort_of,
    window,
)


def decisions_per_way(scope: Scope) -> Statement:
    """Decisions of the range and distinct contacts per cohort, step, condition and target."""
    d = BranchDecision
    cohort = cohort_of(scope, Contact.created_at)
    keys = (d.journey_id, d.step_id, d.condition, d.target)
    return (
        select(
            cohort.label("cohort"),
            *keys,
            func.count().label("decisions"),
            func.count(func.distinct(d.contact_id)).label("contacts"),
        )
        .join(Contact, Contact.id == d.contact_id)
        .where(*window(scope, d.at))
        .group_by(*cohort_groups(scope, Contact.created_at), *keys)
        .order_by(*cohort_groups(scope, Contact.created_at), *keys)
    )
