"""What a send round writes, buffered until the round commits: one ``executemany`` per table,
its values converted by store/converted.py.

New rows (messages, branch decisions, split variants, a suppression for repeated soft
bounces) are inserted in the order they were made, so they take the ids one insert at a time
would give them; nothing the round writes refers to their ids. Stored rows changed in place
(enrollments, messages) are written back by id. Every write happens in the round's
transaction, which begins by fencing the claim (engine/execute.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table

from nurture.engine.intake.records import EnrollmentRow
from nurture.store import models
from nurture.store.converted import insert_new, update_many

Row = dict[str, Any]

_TABLES: dict[str, Table] = {
    table.name: table
    for table in models.Base.metadata.sorted_tables
    if table.name in {"suppressions", "messages", "branch_decisions", "split_assignments"}
}
_ENROLLMENTS = models.Base.metadata.tables["enrollments"]
ENROLLMENT_STATE = (
    "status",
    "current_step",
    "step_entered_at",
    "next_run_at",
    "attempts",
    "last_error",
    "exit_reason",
    "path",
    "finished_at",
)
"""The columns of an enrollment a round changes (moves, sleeps, finishes, failures)."""
MESSAGE_STATE = ("subject", "status", "error")
"""The columns of a stored message a round changes (a retry renders its subject again)."""


class Changes:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._new: dict[str, list[Row]] = {name: [] for name in _TABLES}
        self._enrollments: dict[int, EnrollmentRow] = {}
        self._messages: dict[int, Row] = {}

    def add(self, table: str, row: Row) -> Row:
        self._new[table].append(row)
        return row

    def touched(self, enrollment: EnrollmentRow) -> None:
        assert enrollment.id is not None
        self._enrollments[enrollment.id] = enrollment

    def message_changed(self, message: Row) -> None:
        """A message read from the store changed (a new one is written whole)."""
        if "id" in message:
            self._messages[message["id"]] = message

    def flush(self) -> None:
        connection = self.connection
        for name, rows in self._new.items():
            if rows:
                insert_new(connection, _TABLES[name], rows)
                rows.clear()
        if self._messages:
            update_many(
                connection,
                _TABLES["messages"],
                MESSAGE_STATE,
                [_written_back(row, MESSAGE_STATE) for row in self._messages.values()],
            )
            self._messages.clear()
        if self._enrollments:
            update_many(
                connection,
                _ENROLLMENTS,
                ENROLLMENT_STATE,
                [_written_back(e, ENROLLMENT_STATE) for e in self._enrollments.values()],
            )
            self._enrollments.clear()


def _written_back(record: Any, columns: tuple[str, ...]) -> Row:
    if type(record) is dict:
        values = {f"_{name}": record[name] for name in columns}
        values["_id"] = record["id"]
    else:
        values = {f"_{name}": getattr(record, name) for name in columns}
        values["_id"] = record.id
    return values
