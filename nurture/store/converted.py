"""One ``executemany`` of many rows with their values converted once per column, as the
column types would convert them, and handed to the driver as they are.

SQLAlchemy's executemany runs each row through ``construct_params`` and every value through
its type's bind processor, which costs about three times what ``sqlite3`` spends writing the
row. Here the statement is compiled once per dialect and the values go through a converter
chosen per column: the two hot types get one written out (``UTCDateTime`` as the string
SQLite's DATETIME stores, JSON dumped by the engine's own serializer), every other type keeps
SQLAlchemy's own bind processor. The stored values are the same byte for byte
(tests/store/test_converted.py).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Insert, Update
from sqlalchemy.types import TypeEngine

from nurture.store.types import UTCDateTime

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class _Plan:
    sql: str
    keys: tuple[str, ...]
    """The row key each parameter is read from, in the compiled statement's order."""
    converts: tuple[Convert | None, ...]
    positional: bool


_plans: weakref.WeakKeyDictionary[Dialect, dict[tuple[Any, ...], _Plan | None]] = (
    weakref.WeakKeyDictionary()
)


def execute_many(
    connection: Connection, statement: Insert | Update, rows: Sequence[Mapping[str, Any]]
) -> None:
    """``connection.execute(statement, rows)``, with the rows' values converted here.

    Every row has the keys of the first (as SQLAlchemy's executemany requires). A statement
    whose compiled form computes values per row (a Python-side column default for a key the
    rows leave out) goes through SQLAlchemy as it is.
    """
    if not rows:
        return
    keys = tuple(sorted(rows[0]))
    plan = _plan(connection.dialect, statement, keys)
    if plan is None:
        connection.execute(statement, list(rows))
        return
    pairs = tuple(zip(plan.keys, plan.converts, strict=True))
    if plan.positional:
        connection.exec_driver_sql(
            plan.sql,
            [
                tuple(
                    [row[key] if convert is None else convert(row[key]) for key, convert in pairs]
                )
                for row in rows
            ],
        )
    else:
        connection.exec_driver_sql(
            plan.sql,
            [
                {key: row[key] if convert is None else convert(row[key]) for key, convert in pairs}
                for row in rows
            ],
        )


def _plan(dialect: Dialect, statement: Insert | Update, keys: tuple[str, ...]) -> _Plan | None:
    plans = _plans.setdefault(dialect, {})
    cache_key = (statement, keys)
    if cache_key not in plans:
        plans[cache_key] = _compile(dialect, statement, keys)
    return plans[cache_key]


def _compile(dialect: Dialect, statement: Insert | Update, keys: tuple[str, ...]) -> _Plan | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    if compiled.insert_prefetch or compiled.update_prefetch:
        return None
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    if set(names) != set(keys):
        return None
    return _Plan(
        sql=compiled.string,
        keys=names,
        converts=tuple(converter(compiled.binds[name].type, dialect) for name in names),
        positional=compiled.positional,
    )


def converter(type_: TypeEngine[Any], dialect: Dialect) -> Convert | None:
    """What turns a Python value of ``type_`` into the value the driver is given."""
    if isinstance(type_, UTCDateTime):
        return _sqlite_utc if dialect.name == "sqlite" else _aware_utc
    if isinstance(type_.dialect_impl(dialect), JSON):
        serializer: Convert = getattr(dialect, "_json_serializer", None) or json.dumps
        return serializer
    return type_._cached_bind_processor(dialect)


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: nurture stores only aware UTC times")
    return value.astimezone(UTC)


def _sqlite_utc(value: datetime | None) -> str | None:
    """SQLite's DATETIME storage format (``YYYY-MM-DD HH:MM:SS.ffffff``) of the UTC time."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: nurture stores only aware UTC times")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]
