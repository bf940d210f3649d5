"""Event in: store it once, score it, move the stage, let journeys react.

Events go through intake's set-based shape (engine/intake/) a chunk per transaction: the
chunk's working set is read once, each event is decided on it in order by the same per-event
code (engine/intake/core.ingest), and the rows go out in one statement per table.
:func:`ingest_event` is a chunk of one, so both write the same rows
(tests/engine/test_ingest_chunks.py compares them table by table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy.exc import IntegrityError

from nurture.engine.intake import core
from nurture.engine.intake.changes import Changes, quiet_since, write_stamp, write_transaction
from nurture.engine.intake.collector import collector_held
from nurture.engine.intake.state import WorkingSet, stored_source_ids
from nurture.engine.runtime import Runtime
from nurture.formats import EventIn

CHUNK = 500
"""Events per transaction: large enough that the per-chunk reads cost little per event."""
is_machine_open = core.is_machine_open


@dataclass(frozen=True)
class Ingested:
    event_id: int | None
    duplicate: bool
    points: int = 0
    stages: tuple[str, ...] = ()


def ingest_event(rt: Runtime, data: EventIn) -> Ingested:
    """Process one event in one transaction; a repeated source id changes nothing."""
    received = rt.clock.now()
    try:
        return _ingest_chunk(rt, [data], received)[0][0]
    except IntegrityError:
        with rt.engine.connect() as connection:
            if stored_source_ids(connection, {data.source_id(received)}):
                return Ingested(None, duplicate=True)
        raise


def ingest_events(rt: Runtime, events: Iterable[EventIn], chunk: int = CHUNK) -> Iterator[Ingested]:
    """Process events in order, ``chunk`` per transaction; yield each one's result.

    ``events`` is consumed a chunk at a time, so a file of any size streams through. A source
    id seen twice (in the store or earlier in the same chunk) is a duplicate. If a concurrent
    writer stores one of the chunk's ids first, the chunk is rolled back and done again one
    event per transaction, exactly as :func:`ingest_event` would.

    A chunk's working set is carried on to the next while nobody else writes in between
    (``changes.write_stamp``: SQLite), up to ``CARRIED`` contacts; the next chunk reads only
    the contacts it does not hold.
    """
    iterator = iter(events)
    carried: _Carried | None = None
    while part := list(islice(iterator, chunk)):
        try:
            results, carried = _ingest_chunk(rt, part, rt.clock.now(), carried)
        except IntegrityError:
            carried = None
            results = [ingest_event(rt, data) for data in part]
        yield from results


CARRIED = 5_000
"""Contacts a stream's working set may hold from chunk to chunk (beyond, it starts afresh)."""
_Carried = tuple[WorkingSet, object]


def _ingest_chunk(
    rt: Runtime, events: Sequence[EventIn], received: datetime, carried: _Carried | None = None
) -> tuple[list[Ingested], _Carried | None]:
    keyed = [(data.source_id(received), data) for data in events]
    emails = {data.email for data in events}
    source_ids = {source_id for source_id, _ in keyed}
    with collector_held(), write_transaction(rt) as connection:
        if carried is not None and quiet_since(connection, carried[1]):
            ws = carried[0].next_chunk(connection, emails, source_ids)
        else:
            ws = WorkingSet.read(rt, connection, emails, source_ids)
        changes = Changes(connection)
        done = [
            core.ingest(rt, ws, changes, source_id, data, received) for source_id, data in keyed
        ]
        changes.flush()
        connection.commit()
        stamp = write_stamp(connection)
    results = [
        Ingested(None, duplicate=True)
        if row is None
        else Ingested(row["id"], False, points, stages)
        for row, points, stages in done
    ]
    return results, None if stamp is None or len(ws.contacts) > CARRIED else (ws, stamp)
