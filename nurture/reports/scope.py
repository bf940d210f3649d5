"""What a report covers: a date range, a cohort grouping, and the SQL that both need.

The range selects rows by the time their own thing happened: contacts by ``created_at``
(funnel, sources, scores, stage times), enrollments by ``enrolled_at``, handoffs by
``created_at`` and split assignments by ``assigned_at``. The cohort groups every section by
the creation month or week of the contact concerned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, cast, func, literal_column, select
from sqlalchemy.types import Float, String

from nurture.domain.lifecycle import FUNNEL

Cohort = Literal["month", "week"]
Statement = Select[*tuple[Any, ...]]
ALL = "all"


@dataclass(frozen=True)
class Scope:
    dialect: str
    as_of: datetime
    since: datetime | None = None
    until: datetime | None = None
    cohort: Cohort | None = None

    def window(self, column: Any) -> list[ColumnElement[bool]]:
        """Conditions keeping ``column`` within [since, until)."""
        conditions: list[ColumnElement[bool]] = []
        if self.since is not None:
            conditions.append(column >= self.since)
        if self.until is not None:
            conditions.append(column < self.until)
        return conditions

    def cohort_of(self, created_at: Any) -> ColumnElement[str]:
        """The cohort label of a contact's ``created_at`` ("all" without a cohort)."""
        if self.cohort is None:
            return literal_column(f"'{ALL}'", String)
        return self.period_of(created_at, self.cohort)

    def period_of(self, moment: Any, unit: Cohort) -> ColumnElement[str]:
        """``2026-03`` for a month, the Monday ``2026-03-02`` for a week (UTC)."""
        if self.dialect == "postgresql":
            utc = moment.op("AT TIME ZONE")(_text("UTC"))
            if unit == "month":
                return func.to_char(utc, _text("YYYY-MM"))
            return func.to_char(func.date_trunc(_text("week"), utc), _text("YYYY-MM-DD"))
        if unit == "month":
            return func.strftime(_text("%Y-%m"), moment)
        return func.date(moment, _text("weekday 0"), _text("-6 days"))

    def cohort_groups(self, created_at: Any) -> list[ColumnElement[str]]:
        return [] if self.cohort is None else [self.cohort_of(created_at)]

    def seconds_between(self, start: Any, end: Any) -> ColumnElement[float]:
        if self.dialect == "postgresql":
            return cast(func.extract("epoch", end - start), Float)
        return (func.julianday(end) - func.julianday(start)) * 86400.0


def _text(value: str) -> ColumnElement[str]:
    """A constant rendered inline: PostgreSQL matches GROUP BY expressions by their text."""
    return literal_column(f"'{value}'", String)


def stage_rank(stage: Any) -> ColumnElement[int]:
    """A funnel stage's position (subscriber 0 .. customer 6); NULL for recycled/disqualified."""
    return case({name: i for i, name in enumerate(FUNNEL)}, value=stage, else_=None)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def medians(values: Any, keys: list[str], value: str = "seconds") -> Any:
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
