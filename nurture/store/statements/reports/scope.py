"""The filters every report statement shares: the range, the cohort and period labels
(nurture/reports/scope.py says which time of a row its range reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement, Select, cast, func, literal_column
from sqlalchemy.types import Float, String

Cohort = Literal["month", "week"]
Statement = Select[*tuple[Any, ...]]
ALL = "all"


class Scope(Protocol):
    """The plain values a report statement is built from (nurture.reports.scope.Scope)."""

    @property
    def dialect(self) -> str: ...
    @property
    def as_of(self) -> datetime: ...
    @property
    def since(self) -> datetime | None: ...
    @property
    def until(self) -> datetime | None: ...
    @property
    def cohort(self) -> Cohort | None: ...


def window(scope: Scope, column: Any) -> list[ColumnElement[bool]]:
    """Conditions keeping ``column`` within [since, until)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.since is not None:
        conditions.append(column >= scope.since)
    if scope.until is not None:
        conditions.append(column < scope.until)
    return conditions


def cohort_of(scope: Scope, created_at: Any) -> ColumnElement[str]:
    """The cohort label of a contact's ``created_at`` ("all" without a cohort)."""
    if scope.cohort is None:
        return literal_column(f"'{ALL}'", String)
    return period_of(scope, created_at, scope.cohort)


def period_of(scope: Scope, moment: Any, unit: Cohort) -> ColumnElement[str]:
    """``2026-03`` for a month, the Monday ``2026-03-02`` for a week (UTC)."""
    if scope.dialect == "postgresql":
        utc = moment.op("AT TIME ZONE")(_text("UTC"))
        if unit == "month":
            return func.to_char(utc, _text("YYYY-MM"))
        return func.to_char(func.date_trunc(_text("week"), utc), _text("YYYY-MM-DD"))
    if unit == "month":
        return func.strftime(_text("%Y-%m"), moment)
    return func.date(moment, _text("weekday 0"), _text("-6 days"))


def cohort_groups(scope: Scope, created_at: Any) -> list[ColumnElement[str]]:
    """The cohort label to group and order by; nothing without a cohort."""
    return [] if scope.cohort is None else [cohort_of(scope, created_at)]


def seconds_between(scope: Scope, start: Any, end: Any) -> ColumnElement[float]:
    """The seconds from ``start`` to ``end``, in the scope's dialect."""
    if scope.dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _text(value: str) -> ColumnElement[str]:
    """A constant rendered inline: PostgreSQL matches GROUP BY expressions by their text."""
    return literal_column(f"'{value}'", String)
