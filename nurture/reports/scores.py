"""Where the contacts' scores stand: counts per band and grade, and a histogram.

A low MQL -> SQL conversion with many contacts just over the MQL threshold says the MQL
criteria are too loose; this section shows how the scores are spread.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.scores import band_grade_counts, score_buckets


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
