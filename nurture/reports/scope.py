"""What a report covers: a date range and a cohort grouping.

The range selects rows by the time their own thing happened: contacts by ``created_at``
(funnel, sources, scores, stage times), enrollments by ``enrolled_at``, handoffs by
``created_at`` and split assignments by ``assigned_at``. The cohort groups every section by
the creation month or week of the contact concerned. The statements that apply both are the
store's (nurture/store/statements/reports/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nurture.store.statements.reports.scope import Cohort as Cohort


@dataclass(frozen=True)
class Scope:
    """The range [since, until), the cohort, the moment an SLA counts as breached by, and the
    database's dialect: the plain values the store builds a report's statements from."""

    dialect: str
    as_of: datetime
    since: datetime | None = None
    until: datetime | None = None
    cohort: Cohort | None = None


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
