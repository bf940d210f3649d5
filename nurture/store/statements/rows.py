"""The writes of intake's row buffers (engine/intake/changes.py): ids taken for all tables at
once, one ``executemany`` insert per table, one ``executemany`` update per table by id.

On PostgreSQL the same writes go as one statement of one JSON document per table
(:func:`insert_json`, :func:`update_json`): an executemany there is one round of the
protocol per row, which costs more than PostgreSQL's own work on it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Insert,
    Table,
    Update,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)


@cache
def insert_rows(table: Table) -> Insert:
    """One executemany of new rows, their ids given (built once: its compiled form is reused)."""
    return insert(table)


@cache
def update_by_id(table: Table, columns: tuple[str, ...]) -> Update:
    """One executemany that writes ``columns`` of rows known by id: parameters ``_id`` and
    ``_<column>`` (a column's own name is reserved for the SET clause)."""
    return (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(f"_{name}") for name in columns})
    )


@cache
def insert_json(table: Table, columns: tuple[str, ...]) -> Insert:
    """PostgreSQL: new rows as one JSON array of objects (parameter ``rows``; each object keyed
    by the column names), read in order as the table's rows into one INSERT."""
    given = _recordset(table, columns)
    return insert(table).from_select(list(columns), select(*[given.c[n] for n in columns]))


@cache
def update_json(table: Table, columns: tuple[str, ...]) -> Update:
    """PostgreSQL: :func:`update_by_id`'s rows as one JSON array of objects (parameter
    ``rows``; each object keyed ``id`` and the column names), in one UPDATE."""
    given = _recordset(table, ("id", *columns))
    return (
        update(table)
        .where(table.c.id == given.c.id)
        .values({name: given.c[name] for name in columns})
    )


def _recordset(table: Table, columns: tuple[str, ...]) -> Any:
    row_type: Any = literal_column(f"NULL::{table.name}")
    return (
        func.json_populate_recordset(row_type, cast(bindparam("rows"), JSON))
        .table_valued(*columns)
        .alias("given")
    )


DATA_VERSION = text("PRAGMA data_version")
"""SQLite: a number that changes when another connection commits to the database."""


def take_ids(connection: Connection, counts: Mapping[Table, int]) -> dict[Table, list[int]]:
    """``counts[table]`` new ids for each table, in order, before the rows are written; one
    statement for all the tables.

    PostgreSQL draws them from each column's sequence (the values one insert at a time would
    take); SQLite gives a new row the largest id plus one, and the intake transaction holds
    the write lock (``BEGIN IMMEDIATE``), so nobody takes them in between.
    """
    tables = [table for table, count in counts.items() if count]
    if not tables:
        return {}
    if connection.dialect.name == "postgresql":
        columns = [
            select(func.array_agg(func.nextval(func.pg_get_serial_sequence(table.name, "id"))))
            .select_from(func.generate_series(1, counts[table]).table_valued("n"))
            .scalar_subquery()
            for table in tables
        ]
        drawn = connection.execute(select(*columns)).one()
        return {table: sorted(ids) for table, ids in zip(tables, drawn, strict=True)}
    tops = connection.execute(
        select(*[select(func.max(table.c.id)).scalar_subquery() for table in tables])
    ).one()
    return {
        table: list(range((top or 0) + 1, (top or 0) + 1 + counts[table]))
        for table, top in zip(tables, tops, strict=True)
    }
