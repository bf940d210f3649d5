"""The statements of intake (events and contacts in): the working set of a chunk, the facts
conditions ask, and the writes of its row buffers.

Reads take their keys as expanding lists (``ids``, ``emails``), so each statement is
compiled once however many keys a chunk has. Writes are one ``executemany`` per table.
"""

from __future__ import annotations

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)

from nurture.domain.scorebook import NON_FIT
from nurture.store import models

C, E, S = models.Contact, models.Event, models.ScoreEntry
N, J, V = models.Enrollment, models.Journey, models.JourneyVersion
H, M, X = models.Handoff, models.Message, models.Suppression

STORED_SOURCE_IDS: Select[tuple[str]] = select(E.source_id).where(
    E.source_id.in_(bindparam("ids", expanding=True))
)
"""Which of these source ids are stored already (duplicates)."""

CONTACTS_BY_EMAIL = select(C.__table__).where(C.email.in_(bindparam("emails", expanding=True)))
ENROLLMENTS_OF_CONTACTS = (
    select(N.__table__).where(N.contact_id.in_(bindparam("ids", expanding=True))).order_by(N.id)
)
LAST_RESETS = (
    select(S.contact_id, func.max(S.id))
    .where(S.contact_id.in_(bindparam("ids", expanding=True)), S.kind == "reset")
    .group_by(S.contact_id)
)
"""Each contact's last reset row: its book holds only what came after."""
BOOK_ROWS = (
    select(S.id, S.contact_id, S.rule, S.kind, S.points, S.reason, S.at)
    .where(S.contact_id.in_(bindparam("ids", expanding=True)), S.kind.in_(NON_FIT))
    .order_by(S.id)
)
FIT_SUMS = (
    select(S.contact_id, S.rule, func.sum(S.points))
    .where(S.contact_id.in_(bindparam("ids", expanding=True)), S.kind == "fit")
    .group_by(S.contact_id, S.rule)
)
"""What each fit rule gives each contact today, by its ledger rows."""
SUPPRESSIONS_BY_EMAIL = select(X.id, X.email, X.reason).where(
    X.email.in_(bindparam("emails", expanding=True))
)
LAST_OWNER_AMONG: Select[tuple[str]] = (
    select(H.owner)
    .where(H.owner.in_(bindparam("emails", expanding=True)))
    .order_by(H.id.desc())
    .limit(1)
)
"""The rep of a pool who took the latest handoff (round-robin goes on after them)."""
CURRENT_VERSIONS = select(J.id, V.id).join(J).where(V.version == J.current_version)
VERSION_DEFINITIONS = select(V.id, V.definition).where(V.id.in_(bindparam("ids", expanding=True)))
DELETE_SUPPRESSION: Delete = delete(X).where(X.id == bindparam("id"))

# The facts conditions ask (engine/facts.py).
EVENTS_OF_TYPES = select(E.type, E.properties, E.occurred_at).where(
    E.contact_id == bindparam("contact_id"), E.type.in_(bindparam("types", expanding=True))
)
EVENTS_OF_TYPES_SINCE = EVENTS_OF_TYPES.where(E.occurred_at >= bindparam("since"))
MESSAGE_UIDS_OF_STEP: Select[tuple[str]] = select(M.uid).where(
    M.enrollment_id == bindparam("enrollment_id"), M.step_id == bindparam("step")
)
SENT_AMONG = (
    select(M.id).where(M.uid.in_(bindparam("uids", expanding=True)), M.status == "sent").limit(1)
)


def insert_rows(table: Table) -> Insert:
    """One executemany of new rows, their ids given."""
    return insert(table)


def update_by_id(table: Table) -> Update:
    """One executemany that writes every column of rows known by id: parameters ``_id`` and
    ``_<column>`` (a column's own name is reserved for the SET clause)."""
    columns = [c.name for c in table.columns if not c.primary_key]
    return (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(f"_{name}") for name in columns})
    )


def take_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` new ids for ``table``, in order, before its rows are written.

    PostgreSQL draws them from the column's sequence (the same values one insert at a time
    would take); SQLite gives a new row the largest id plus one, and the intake transaction
    holds the write lock (``BEGIN IMMEDIATE``), so nobody takes them in between.
    """
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")
        found = connection.execute(
            select(func.nextval(sequence)).select_from(
                func.generate_series(1, count).table_valued(literal_column("n"))
            )
        )
        return [int(value) for value in found.scalars()]
    top = connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return list(range(top + 1, top + 1 + count))
