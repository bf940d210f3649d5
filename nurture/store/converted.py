"""Many rows written in one statement with their values converted once per column, as the
column types would convert them, and handed to the driver as they are.

SQLAlchemy's executemany runs each row through ``construct_params`` and every value through
its type's bind processor, which cost about three times what ``sqlite3`` spends writing the
rows. On SQLite the statement is compiled once and the values go through a converter chosen
per column: the two hot types get one written out (``UTCDateTime`` as the string SQLite's
DATETIME stores, JSON dumped by the engine's own serializer), every other type keeps
SQLAlchemy's own bind processor. On PostgreSQL an executemany is one round of the protocol
per row, so the rows go as one JSON document that the INSERT or UPDATE reads as the table's
rows (store/statements/rows.py). The stored values are the same byte for byte as
SQLAlchemy's executemany stores them (tests/store/test_converted.py).

:func:`execute_one` runs one row's statement the same way on either database, and
:func:`first_autocommitted` on the driver's own cursor: delivery's two statements per email
(the pre-call check and the "sent" mark), where SQLAlchemy's cache key, parameter processing
and result set-up cost more than the database's own work. :func:`read_all` reads rows the
same way, its values converted as the column types convert them (the reads of a send round
and of an intake chunk); :func:`select_one` one row of it by column name (the time
traveller's read of the due moments).
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    CursorResult,
    Dialect,
    Executable,
    Insert,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    Update,
)
from sqlalchemy.types import TypeEngine

from nurture.store.statements.rows import insert_json, insert_rows, update_by_id, update_json
from nurture.store.types import UTCDateTime

log = logging.getLogger(__name__)

Convert = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class _Plan:
    sql: str
    keys: tuple[str, ...]
    """The row key each parameter is read from, in the compiled statement's order."""
    converts: tuple[Convert | None, ...]
    positional: bool


_compiled: weakref.WeakKeyDictionary[Dialect, dict[Insert | Update, str]] = (
    weakref.WeakKeyDictionary()
)
_plans: weakref.WeakKeyDictionary[Dialect, dict[tuple[Any, ...], _Plan | None]] = (
    weakref.WeakKeyDictionary()
)


_GIVEN: Any = object()


@dataclass(frozen=True)
class _Single:
    sql: str
    parameters: tuple[tuple[str, Convert | None, Any], ...]
    """In the compiled statement's order: each parameter's name, the converter of the value
    the caller gives, and the statement's own value (``status == "pending"``, converted once)
    or ``_GIVEN``."""
    positional: bool
    names: tuple[str, ...]

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters: ``params`` converted, with the statement's own values."""
        values = []
        for name, convert, own in self.parameters:
            if own is _GIVEN:
                own = params[name] if convert is None else convert(params[name])
            values.append(own)
        if self.positional:
            return tuple(values)
        return dict(zip(self.names, values, strict=True))


_singles: weakref.WeakKeyDictionary[Dialect, dict[Executable, _Single | None]] = (
    weakref.WeakKeyDictionary()
)


def insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """New rows of ``table``, every column given (ids too): one executemany, or on PostgreSQL
    one INSERT of the rows as one JSON document."""
    if not rows:
        return
    columns = tuple(rows[0])
    if _computed(table, rows[0]) or not _as_json(
        connection, insert_json(table, columns), table, columns, columns, rows
    ):
        execute_many(connection, insert_rows(table), rows)


def insert_new(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """New rows of ``table`` without their ids, which the database gives in the rows' order:
    the converted executemany (on PostgreSQL SQLAlchemy's executemany, row after row; a JSON
    document read into one INSERT would not promise the order of the ids)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql" or _computed(table, rows[0]):
        connection.execute(insert_rows(table), list(rows))
    else:
        execute_many(connection, insert_rows(table), rows)


def update_many(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """``columns`` of stored rows, by id (parameters ``_id`` and ``_<column>``, as
    :func:`~nurture.store.statements.rows.update_by_id` takes them)."""
    if not rows:
        return
    names = ("id", *columns)
    keys = tuple(f"_{name}" for name in names)
    computed = any(c.onupdate is not None for c in table.columns if c.name not in columns)
    if computed or not _as_json(connection, update_json(table, columns), table, names, keys, rows):
        execute_many(connection, update_by_id(table, columns), rows)


def _computed(table: Table, row: Mapping[str, Any]) -> bool:
    """Whether SQLAlchemy would compute a column the row leaves out (a Python-side default)."""
    return any(column.default is not None for column in table.columns if column.key not in row)


def _as_json(
    connection: Connection,
    statement: Insert | Update,
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
) -> bool:
    """On PostgreSQL, run ``statement`` with the rows as one JSON document (``keys[i]`` of a
    row is column ``columns[i]``) and say True. False where that would not store what
    SQLAlchemy stores: another database, a column type JSON does not carry exactly, or a JSON
    column's None (the JSON ``null`` it stands for would be read as SQL NULL)."""
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return False
    times = []
    for column, key in zip(columns, keys, strict=True):
        type_ = table.c[column].type
        if isinstance(type_, UTCDateTime):
            times.append(column)
        elif isinstance(type_, JSON):
            if any(row[key] is None for row in rows):
                return False
        elif not isinstance(type_, String | Integer | Boolean):
            return False
    if keys == columns:
        document = [dict(row) for row in rows]
    else:
        named = tuple(zip(columns, keys, strict=True))
        document = [{column: row[key] for column, key in named} for row in rows]
    for values in document:
        for column in times:
            values[column] = _iso_utc(values[column])
    serializer: Convert = getattr(dialect, "_json_serializer", None) or json.dumps
    connection.exec_driver_sql(_sql(dialect, statement), {"rows": serializer(document)})
    return True


def _sql(dialect: Dialect, statement: Insert | Update) -> str:
    plans = _compiled.setdefault(dialect, {})
    if statement not in plans:
        plans[statement] = statement.compile(dialect=dialect).string
    return plans[statement]


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
    if plan.positional:
        get = itemgetter(*plan.keys)
        changed = [(i, convert) for i, convert in enumerate(plan.converts) if convert is not None]
        times: dict[datetime, str | None] = {}  # a chunk's rows share a few moments
        params = []
        for row in rows:
            values = list(get(row))
            for i, convert in changed:
                value = values[i]
                if convert is _sqlite_utc and value is not None:  # the same moment, once
                    found = times.get(value)
                    if found is None:
                        found = times[value] = _sqlite_utc(value)
                    values[i] = found
                else:
                    values[i] = convert(value)
            params.append(tuple(values))
        connection.exec_driver_sql(plan.sql, params)
    else:
        pairs = tuple(zip(plan.keys, plan.converts, strict=True))
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
    if set(names) != set(keys) or len(names) < 2:  # (one key: itemgetter gives no tuple)
        return None
    return _Plan(
        sql=compiled.string,
        keys=names,
        converts=tuple(_converter(compiled.binds[name].type, dialect) for name in names),
        positional=compiled.positional,
    )


def _converter(type_: TypeEngine[Any], dialect: Dialect) -> Convert | None:
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


def _iso_utc(value: datetime | None) -> str | None:
    """The UTC time as PostgreSQL reads it from JSON, to the microsecond."""
    if value is not None and value.tzinfo is UTC:
        return value.isoformat()
    aware = _aware_utc(value)
    return None if aware is None else aware.isoformat()


def _sqlite_utc(value: datetime | None) -> str | None:
    """SQLite's DATETIME storage format (``YYYY-MM-DD HH:MM:SS.ffffff``) of the UTC time."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: nurture stores only aware UTC times")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def execute_one(
    connection: Connection, statement: Executable, params: Mapping[str, Any]
) -> CursorResult[Any]:
    """``connection.execute(statement, params)`` for a statement of plain bind parameters,
    compiled once per dialect, its values converted here and handed to the driver.

    The result's rows come as the driver gives them (no result processing): meant for
    statements that return nothing or plain integers. A statement with an expanding or
    computed parameter goes through SQLAlchemy as it is.
    """
    plan = _single_of(connection.dialect, statement)
    if plan is None:
        return connection.execute(statement, params)
    return connection.exec_driver_sql(plan.sql, plan.values(params))


def first_autocommitted(
    connection: Connection, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Any] | None:
    """:func:`execute_one`'s first row (None: no row, or a statement that returns none), run
    on the driver's own cursor when ``connection`` autocommits.

    Delivery's two statements per email: SQLAlchemy's ``exec_driver_sql`` around them costs
    more than SQLite's own work (its execution context, events, result set-up), and in
    autocommit there is no transaction of SQLAlchemy's to keep track of. Should the driver
    fail, the statement runs again through SQLAlchemy, which meets the failure itself: the
    error the callers catch (``DBAPIError``), and a lost connection invalidated. So only for
    statements that may run twice: reads, and writes guarded by what they change (``status =
    'pending'``).
    """
    plan = _single_of(connection.dialect, statement)
    if plan is not None and connection.get_execution_options().get("isolation_level") == (
        "AUTOCOMMIT"
    ):
        try:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(plan.sql, plan.values(params))
                return cursor.fetchone() if cursor.description is not None else None
            finally:
                cursor.close()
        except connection.dialect.loaded_dbapi.Error as exc:
            log.debug("driver error, run again through SQLAlchemy: %s", exc)
    result = execute_one(connection, statement, params)
    return result.first() if result.returns_rows else None


@dataclass(frozen=True)
class _Read:
    single: _Single
    converts: tuple[tuple[int, Convert, bool], ...]
    """Per column with a result processor: its index, the processor, and whether its values
    may be shared between rows (SQLite's datetimes: immutable, and a round's rows share a few;
    not PostgreSQL's, which psycopg gives in the session's zone, where two instants of a
    fall-back hour compare equal)."""


_reads: weakref.WeakKeyDictionary[Dialect, dict[AnySelect, _Read | None]] = (
    weakref.WeakKeyDictionary()
)


def read_all(
    connection: Connection, statement: AnySelect, params: Mapping[str, Any]
) -> list[Sequence[Any]]:
    """``connection.execute(statement, params).all()``, the values as SQLAlchemy gives them,
    for a select of columns with plain bind parameters: compiled once per dialect, run by
    ``exec_driver_sql`` (its errors are SQLAlchemy's), each value through its column type's
    own result processor, a datetime once per distinct stored value of a read. SQLAlchemy's
    row processing costs more than SQLite's reading of a send round's or a chunk's rows."""
    reads = _reads.setdefault(connection.dialect, {})
    if statement not in reads:
        reads[statement] = _read(connection.dialect, statement)
    plan = reads[statement]
    if plan is None:
        return list(connection.execute(statement, params).all())
    rows = connection.exec_driver_sql(plan.single.sql, plan.single.values(params)).all()
    if not plan.converts:
        return list(rows)
    shared: list[dict[Any, Any]] = [{} for _ in plan.converts]
    found: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for (i, convert, share), seen in zip(plan.converts, shared, strict=True):
            value = values[i]
            if value is None:
                continue
            if share:
                if value not in seen:
                    seen[value] = convert(value)
                values[i] = seen[value]
            else:
                values[i] = convert(value)
        found.append(values)
    return found


def _read(dialect: Dialect, statement: AnySelect) -> _Read | None:
    single = _single(dialect, statement)
    if single is None:
        return None
    converts = []
    shares = dialect.name == "sqlite"  # its stored times are text: one key per instant
    for i, column in enumerate(statement.selected_columns):
        if isinstance(column.type, Numeric):  # its processors want the driver's column type
            return None
        convert = column.type._cached_result_processor(dialect, None)
        if convert is not None:
            converts.append((i, convert, shares and isinstance(column.type, UTCDateTime)))
    return _Read(single, tuple(converts))


def _single_of(dialect: Dialect, statement: Executable) -> _Single | None:
    singles = _singles.setdefault(dialect, {})
    if statement not in singles:
        singles[statement] = _single(dialect, statement)
    return singles[statement]


def _single(dialect: Dialect, statement: Executable) -> _Single | None:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if compiled.literal_execute_params or compiled.escaped_bind_names:
        return None
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    parameters = []
    for name in names:
        bind = compiled.binds[name]
        if bind.expanding or bind.callable is not None:
            return None
        convert = _converter(bind.type, dialect)
        if bind.required:
            parameters.append((name, convert, _GIVEN))
        else:
            parameters.append((name, None, bind.value if convert is None else convert(bind.value)))
    return _Single(compiled.string, tuple(parameters), compiled.positional, names)


def select_one(
    connection: Connection, statement: Select[Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The one row of :func:`read_all`, by column name (``connection.execute(...).one()``)."""
    (row,) = read_all(connection, statement, params)
    return {
        str(column.key): value
        for column, value in zip(statement.selected_columns, row, strict=True)
    }
