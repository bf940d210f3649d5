"""Where the contacts' scores stand: counts per band and grade, and a histogram.

A low MQL -> SQL conversion with many contacts just over the MQL threshold says the MQL
criteria are too loose; this section shows how the scores are spread.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, func, literal_column, select
from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope, Statement
from nurture.store.models import Contact

BUCKET = 10


@dataclass(frozen=True)
class BandGrade:
    cohort: str
    band: str
    grade: str
    contacts: int
    mean_score: float


@dataclass(frozen=True)
class Bucket:
    cohort: str
    low: int
    contacts: int


def band_grade_counts(scope: Scope) -> Statement:
    """Named statement: contacts and mean score per band and grade."""
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Contact.band,
            Contact.grade,
            func.count().label("contacts"),
            func.avg(Contact.score).label("mean"),
        )
        .where(*scope.window(Contact.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Contact.band, Contact.grade)
        .order_by(*scope.cohort_groups(Contact.created_at), Contact.band, Contact.grade)
    )


def score_buckets(scope: Scope) -> Statement:
    """Named statement: contacts per score bucket of BUCKET points (floor, negatives too)."""
    cohort = scope.cohort_of(Contact.created_at)
    size = literal_column(str(BUCKET), Integer)
    low = (Contact.score - ((Contact.score % size) + size) % size).label("low")
    return (
        select(cohort.label("cohort"), low, func.count().label("contacts"))
        .where(*scope.window(Contact.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), low)
        .order_by(*scope.cohort_groups(Contact.created_at), low)
    )


def band_grades(connection: Connection, scope: Scope) -> list[BandGrade]:
    return [
        BandGrade(r.cohort, r.band, r.grade, int(r.contacts), float(r.mean))
        for r in connection.execute(band_grade_counts(scope))
    ]


def histogram(connection: Connection, scope: Scope) -> list[Bucket]:
    return [
        Bucket(r.cohort, int(r.low), int(r.contacts))
        for r in connection.execute(score_buckets(scope))
    ]
