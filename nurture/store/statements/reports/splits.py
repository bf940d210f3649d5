"""Statements of the A/B/n splits (nurture/reports/splits.py): assignments and conversions."""

from __future__ import annotations

from sqlalchemy import case, func, select

from nurture.store.models import Contact, Enrollment, SplitAssignment
from nurture.store.statements.reports.journeys import goal_reached
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_groups,
    cohort_of,
    window,
)


def conversions_per_variant(scope: Scope) -> Statement:
    """Enrollments assigned in the range and converted, per cohort, split step and variant."""
    a = SplitAssignment.__table__.c
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            a.journey_id,
            a.step_id,
            a.variant,
            func.count(func.distinct(a.enrollment_id)).label("assigned"),
            func.count(func.distinct(case((goal_reached(), a.enrollment_id), else_=None))).label(
                "converted"
            ),
        )
        .select_from(SplitAssignment)
        .join(Enrollment, Enrollment.id == a.enrollment_id)
        .join(Contact, Contact.id == a.contact_id)
        .where(*window(scope, a.assigned_at))
        .group_by(*cohort_groups(scope, Contact.created_at), a.journey_id, a.step_id, a.variant)
        .order_by(*cohort_groups(scope, Contact.created_at), a.journey_id, a.step_id, a.variant)
    )
