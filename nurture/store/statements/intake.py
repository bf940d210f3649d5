"""The statements of intake (events and contacts in): the working set of a chunk, the facts
conditions ask, and the writes of its row buffers.

Reads take their keys as expanding lists (``ids``, ``emails``), so each statement is
compiled once however many keys a chunk has. Writes are one ``executemany`` per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Table,
    Update,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from nurture.domain.scorebook import NON_FIT
from nurture.store import models

C, E, S = models.Contact, models.Event, models.ScoreEntry
N, J, V = models.Enrollment, models.Journey, models.JourneyVersion
H, M, X = models.Handoff, models.Message, models.Suppression

STORED_SOURCE_IDS = select(E.source_id).where(E.source_id.in_(bindparam("ids", expanding=True)))
"""Which of these source ids are stored already (duplicates)."""

CONTACTS_BY_EMAIL = select(C.__table__).where(C.email.in_(bindparam("emails", expanding=True)))
ENROLLMENTS_OF_CONTACTS = (
    select(N.__table__).where(N.contact_id.in_(bindparam("ids", expanding=True))).order_by(N.id)
)
BOOK_ROWS = (
    select(S.id, S.contact_id, S.rule, S.kind, S.points, S.reason, S.at)
    .where(S.contact_id.in_(bindparam("ids", expanding=True)), S.kind.in_((*NON_FIT, "reset")))
    .order_by(S.id)
)
"""The rows of the contacts' score books, and their resets: a book holds what came after
its contact's last reset."""
FIT_SUMS = (
    select(S.contact_id, S.rule, func.sum(S.points))
    .where(S.contact_id.in_(bindparam("ids", expanding=True)), S.kind == "fit")
    .group_by(S.contact_id, S.rule)
)
"""What each fit rule gives each contact today, by its ledger rows."""
SUPPRESSIONS_BY_EMAIL = select(X.id, X.email, X.reason).where(
    X.email.in_(bindparam("emails", expanding=True))
)
LAST_OWNER_AMONG = (
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
MESSAGE_UIDS_OF_STEP = select(M.uid).where(
    M.enrollment_id == bindparam("enrollment_id"), M.step_id == bindparam("step")
)
SENT_AMONG = (
    select(M.id).where(M.uid.in_(bindparam("uids", expanding=True)), M.status == "sent").limit(1)
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
