"""``ingest_ratio``: events through the whole path against a raw insert of the same rows.

The whole path is the engine's chunked ingest, as imports and API batches use it
(``ingest_events``: 500 events per transaction, each stored, scored, lifecycle, handoff,
suppression, journeys react, by the same code as a single event). The baseline inserts the
very same event rows with one executemany into a twin of the events table (same columns,
unique key, index and foreign key) in the same database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, MetaData, Table, UniqueConstraint, insert

from nurture.bench.data import START, contacts, events_for
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.bench.timing import rate, timed
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_events
from nurture.store import models


def run(server_url: str | None, folder: Path, count: int) -> dict[str, Any]:
    events = events_for(count)
    people = contacts(max(1, count // 3))
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            for person in people[::2]:  # half known before their events, half new
                import_contact(rt, person)
            with timed() as whole:
                results = list(ingest_events(rt, events))
            stored = sum(not r.duplicate for r in results)
            with rt.sessions() as session:
                ids = dict(
                    session.execute(
                        models.Contact.__table__.select().with_only_columns(
                            models.Contact.email, models.Contact.id
                        )
                    ).all()
                )
            received = rt.clock.now()
            rows = [
                dict(
                    source_id=event.source_id(received),
                    contact_id=ids[event.email],
                    type=event.type,
                    properties=event.properties,
                    occurred_at=event.at or received,
                    received_at=received,
                )
                for event in events
            ]
            twin = _twin_of_events(rt.engine)
            with rt.engine.begin() as connection:
                twin.create(connection)
            with timed() as raw, rt.engine.begin() as connection:
                connection.execute(insert(twin), rows)
        finally:
            rt.engine.dispose()
    per_s, baseline = rate(stored, whole.seconds), rate(len(rows), raw.seconds)
    return {
        "ingest_ratio": per_s / baseline,
        "ingest_per_s": per_s,
        "ingest_baseline_per_s": baseline,
        "ingest_events": stored,
    }


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
