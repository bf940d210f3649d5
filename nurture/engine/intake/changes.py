"""Row buffers: what a chunk writes, held until the flush, then one statement per table.

A new row refers to the rows it depends on (its contact, its event, its handoff) by the
buffered row itself; the flush takes every table's ids in one statement, in the order the
rows were made (the order one insert at a time would give them), resolves the references and
writes the tables parents first. Rows read from the store and changed in place (contacts,
enrollments, handoffs) are written back by id, one statement per table. store/converted.py
runs them with the values converted once per column (SQLite: an executemany; PostgreSQL: one
JSON document).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Table

from nurture.engine.intake.records import (
    CONTACT_COLUMNS,
    CONTACT_STATE,
    ENROLLMENT_COLUMNS,
    ENROLLMENT_STATE,
    HANDOFF_STATE,
    ContactRow,
    EnrollmentRow,
    HandoffRow,
)
from nurture.engine.runtime import Runtime
from nurture.store import claims, models
from nurture.store.converted import insert_many, update_many
from nurture.store.statements.rows import DATA_VERSION, take_ids

Row = dict[str, Any]
Record = ContactRow | EnrollmentRow | HandoffRow
_TABLE_OF = {ContactRow: "contacts", EnrollmentRow: "enrollments", HandoffRow: "handoffs"}

_TABLES: dict[str, Table] = {
    table.name: table
    for table in models.Base.metadata.sorted_tables  # parents before children
    if table.name
    in {
        "contacts",
        "events",
        "score_ledger",
        "stage_history",
        "suppressions",
        "enrollments",
        "handoffs",
        "handoff_events",
        "notifications",
    }
}
_REFERENCES: dict[str, tuple[str, ...]] = {
    "contacts": (),
    "events": ("contact_id",),
    "score_ledger": ("contact_id", "event_id"),
    "stage_history": ("contact_id", "event_id"),
    "suppressions": ("event_id",),
    "enrollments": ("contact_id",),
    "handoffs": ("contact_id",),
    "handoff_events": ("handoff_id",),
    "notifications": ("handoff_id",),
}


def write_transaction(rt: Runtime) -> AbstractContextManager[Connection]:
    """A transaction that will write: on SQLite it holds the write lock from its first read
    (``BEGIN IMMEDIATE``, as a claim's), so the ids the flush takes stay free until it commits."""
    return claims.claiming(rt.engine)


def quiet_since(connection: Connection, stamp: object) -> bool:
    """Whether nobody wrote to the store since :func:`write_stamp` gave ``stamp``."""
    return stamp is not None and write_stamp(connection) == stamp


def write_stamp(connection: Connection) -> object:
    """What tells a later transaction whether anybody wrote in between, or None where nothing
    can tell. SQLite: this driver connection (another one is no witness), the database's
    ``data_version`` (other connections' commits) and the rows this connection changed."""
    if connection.dialect.name != "sqlite":
        return None
    driver = connection.connection.driver_connection
    return (driver, connection.scalar(DATA_VERSION), getattr(driver, "total_changes", None))


def ref(value: Any) -> Any:
    """The id a column holds: given, or that of a buffered row once the flush gave it one."""
    if value is None or type(value) is int:
        return value
    if type(value) is dict:
        return value["id"]
    return value.id


class Changes:
    """The buffers of one transaction."""

    def __init__(
        self, connection: Connection, contact_columns: tuple[str, ...] = CONTACT_STATE
    ) -> None:
        """``contact_columns``: what changing a stored contact may write (an import writes
        its profile too)."""
        self.connection = connection
        self._columns = {
            "contacts": contact_columns,
            "enrollments": ENROLLMENT_STATE,
            "handoffs": HANDOFF_STATE,
        }
        self.flushes = 0
        self._new: dict[str, list[Any]] = {name: [] for name in _TABLES}
        self._dirty: dict[str, dict[int, Record]] = {name: {} for name in self._columns}
        self.pending_events: dict[str, list[Row]] = {}
        """Each contact's events not yet written (by email): the facts count them too."""

    def add(self, table: str, row: Row) -> Row:
        row["id"] = None
        self._new[table].append(row)
        return row

    def new_rows(self, table: str) -> list[Any]:
        """The rows of ``table`` buffered since the last flush."""
        return self._new[table]

    def changed(self, table: str) -> list[Record]:
        """The stored rows of ``table`` (contacts, enrollments, handoffs) changed in place since
        the last flush."""
        return list(self._dirty[table].values())

    def add_event(self, email: str, row: Row) -> Row:
        self.pending_events.setdefault(email, []).append(row)
        return self.add("events", row)

    def add_record(self, record: ContactRow | EnrollmentRow) -> None:
        record.stored = False
        self._new[_TABLE_OF[type(record)]].append(record)

    def touched(self, record: Record) -> None:
        """A stored contact, enrollment or handoff changed in place (a new one is written
        whole)."""
        if record.stored:
            self._dirty[_TABLE_OF[type(record)]][id(record)] = record

    def flush(self) -> None:
        """Write every buffer: ids first, then one insert per table, then the updates."""
        connection = self.connection
        drawn = take_ids(connection, {_TABLES[name]: len(rows) for name, rows in self._new.items()})
        for name, rows in self._new.items():
            for row, new_id in zip(rows, drawn.get(_TABLES[name], ()), strict=True):
                if type(row) is dict:
                    row["id"] = new_id
                else:
                    row.id = new_id
        for name, rows in self._new.items():
            if not rows:
                continue
            insert_many(connection, _TABLES[name], [_params(name, row) for row in rows])
            for row in rows:
                if type(row) is not dict:
                    row.stored = True
            rows.clear()
        for name, dirty in self._dirty.items():
            if dirty:
                columns = self._columns[name]
                update_many(
                    connection,
                    _TABLES[name],
                    columns,
                    [_written_back(record, columns) for record in dirty.values()],
                )
                dirty.clear()
        self.pending_events.clear()
        self.flushes += 1


def _params(table: str, row: Any) -> Row:
    if type(row) is not dict:
        columns = CONTACT_COLUMNS if table == "contacts" else ENROLLMENT_COLUMNS
        values = {name: getattr(row, name) for name in columns}
    else:
        values = row
    for name in _REFERENCES[table]:
        values[name] = ref(values[name])
    return values


def _written_back(record: Record, columns: tuple[str, ...]) -> Row:
    values = {f"_{name}": getattr(record, name) for name in columns}
    values["_id"] = record.id
    return values
