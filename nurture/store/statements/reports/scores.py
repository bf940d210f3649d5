"""Statements of the scores report (nurture/reports/scores.py): bands, grades, a histogram."""

from __future__ import annotations

from sqlalchemy import Integer, func, literal_column, select

from nurture.store.models import Contact
from nurture.store.statements.reports.scope import (
    Scope,
    Statement,
    cohort_groups,
    cohort_of,
    window,
)

BUCKET = 10
"""The width of a histogram bucket, in score points."""


def band_grade_counts(scope: Scope) -> Statement:
    """Contacts of the range and their mean score, per cohort, band and grade."""
    cohort = cohort_of(scope, Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Contact.band,
            Contact.grade,
            func.count().label("contacts"),
            func.avg(Contact.score).label("mean"),
        )
        .where(*window(scope, Contact.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at), Contact.band, Contact.grade)
        .order_by(*cohort_groups(scope, Contact.created_at), Contact.band, Contact.grade)
    )


def score_buckets(scope: Scope) -> Statement:
    """Contacts of the range per cohort and score bucket of BUCKET points (floor, negatives too)."""
    cohort = cohort_of(scope, Contact.created_at)
    size = literal_column(str(BUCKET), Integer)
    low = (Contact.score - ((Contact.score % size) + size) % size).label("low")
    return (
        select(cohort.label("cohort"), low, func.count().label("contacts"))
        .where(*window(scope, Contact.created_at))
        .group_by(*cohort_groups(scope, Contact.created_at), low)
        .order_by(*cohort_groups(scope, Contact.created_at), low)
    )
