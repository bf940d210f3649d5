"""``ingest_ratio`` and ``ingest_write_ratio``: events through the whole path, against a raw
insert of the same event rows, and against a raw write of every row the engine wrote.

The whole path is the engine's chunked ingest, as imports and API batches use it
(``ingest_events``: 500 events per transaction, each stored, scored, lifecycle, handoff,
suppression, journeys react, by the same code as a single event).

- ``ingest_ratio``: the same event rows, one executemany into a twin of the events table
  (same columns, unique key, index and foreign key) in the same database.
- ``ingest_write_ratio``: a second database in the state the first was in before the
  engine ran; in it, one executemany per table of exactly the rows the engine inserted
  (ids included) and one of the rows it changed, in one transaction. That is the physical
  floor of this work: the writes with no reading and no deciding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    bindparam,
    event,
    insert,
    select,
    update,
)

from nurture.bench.data import START, contacts, events_for
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.bench.timing import rate, timed
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contacts
from nurture.engine.ingest import ingest_events
from nurture.store import models
from nurture.store.db import make_engine

Rows = dict[str, dict[Any, dict[str, Any]]]


def run(server_url: str | None, folder: Path, count: int) -> dict[str, Any]:
    events = events_for(count)
    people = contacts(max(1, count // 3))
    with scratch_database(server_url, folder) as url, scratch_database(server_url, folder) as floor:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            list(import_contacts(rt, people[::2]))  # half known before their events, half new
            before = _all_rows(rt.engine)
            statements = _count_statements(rt.engine)
            with timed() as whole:
                results = list(ingest_events(rt, events))
            executed = statements()
            stored = sum(not r.duplicate for r in results)
            raw = _raw_events(rt.engine, events, rt.clock.now())
            after = _all_rows(rt.engine)
            written, changed = _written(before, after)
        finally:
            rt.engine.dispose()
        floor_seconds = _write_floor(floor, before, written, changed)
    per_s, baseline = rate(stored, whole.seconds), rate(len(events), raw)
    rows = sum(len(r) for r in written.values()) + sum(len(r) for r in changed.values())
    return {
        "ingest_ratio": per_s / baseline,
        "ingest_per_s": per_s,
        "ingest_baseline_per_s": baseline,
        "ingest_events": stored,
        "ingest_write_ratio": floor_seconds / whole.seconds,
        "ingest_write_seconds": floor_seconds,
        "ingest_seconds": whole.seconds,
        "ingest_rows_written": rows,
        "ingest_statements_per_event": executed / stored,
    }


def _count_statements(engine: Any) -> Callable[[], int]:
    """Count what reaches the database driver (an executemany is one statement) until the
    returned function is called: it stops counting and says how many."""
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    def stop() -> int:
        event.remove(engine, "before_cursor_execute", count)
        return seen[0]

    event.listen(engine, "before_cursor_execute", count)
    return stop


def _all_rows(engine: Any) -> Rows:
    found: Rows = {}
    with engine.connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            key = table.primary_key.columns
            found[table.name] = {
                tuple(row[c.name] for c in key): dict(row)
                for row in connection.execute(select(table)).mappings()
            }
    return found


def _written(before: Rows, after: Rows) -> tuple[Rows, Rows]:
    """The rows the engine inserted, and the stored rows it changed (by table)."""
    inserted: Rows = {}
    changed: Rows = {}
    for name, rows in after.items():
        old = before[name]
        inserted[name] = {key: row for key, row in rows.items() if key not in old}
        changed[name] = {key: row for key, row in rows.items() if key in old and old[key] != row}
    return inserted, changed


def _write_floor(url: str, before: Rows, written: Rows, changed: Rows) -> float:
    """Load ``before`` into the empty database at ``url`` (not timed), then time one
    executemany per table of ``written`` and one UPDATE per table of ``changed``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _insert_all(connection, before)
        with timed() as watch, engine.begin() as connection:
            _insert_all(connection, written)
            for table in models.Base.metadata.sorted_tables:
                rows = list(changed[table.name].values())
                if rows:
                    columns = [c.name for c in table.columns if not c.primary_key]
                    statement = (
                        update(table)
                        .where(table.c.id == bindparam("_id"))
                        .values({name: bindparam(f"_{name}") for name in columns})
                    )
                    connection.execute(
                        statement,
                        [{"_id": row["id"], **{f"_{n}": row[n] for n in columns}} for row in rows],
                    )
    finally:
        engine.dispose()
    return watch.seconds


def _insert_all(connection: Connection, rows: Rows) -> None:
    for table in models.Base.metadata.sorted_tables:
        if rows[table.name]:
            connection.execute(insert(table), list(rows[table.name].values()))


def _raw_events(engine: Any, events: list[Any], received: Any) -> float:
    """Seconds for one executemany of the same event rows into a twin of the events table."""
    with engine.connect() as connection:
        ids = dict(connection.execute(select(models.Contact.email, models.Contact.id)).all())
    rows = [
        dict(
            source_id=data.source_id(received),
            contact_id=ids[data.email],
            type=data.type,
            properties=data.properties,
            occurred_at=data.at or received,
            received_at=received,
        )
        for data in events
    ]
    twin = _twin_of_events(engine)
    with engine.begin() as connection:
        twin.create(connection)
    with timed() as raw, engine.begin() as connection:
        connection.execute(insert(twin), rows)
    return raw.seconds


def _twin_of_events(engine: Any) -> Table:
    metadata = MetaData()
    Table("contacts", metadata, autoload_with=engine)
    events = models.Event.__table__
    columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in events.columns]
    for column in columns:
        if column.name == "contact_id":
            column.append_foreign_key(ForeignKey("contacts.id", ondelete="CASCADE"))
    return Table(
        "bench_raw_events",
        metadata,
        *columns,
        UniqueConstraint("source_id"),
        Index("ix_bench_raw_events_contact_type_at", "contact_id", "type", "occurred_at"),
    )
