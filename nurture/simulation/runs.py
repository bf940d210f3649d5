"""Consecutive events with no work due among them, ingested in one transaction.

One by one, the simulator runs the work due up to each event's time, then ingests the event
at that time. Between two events nothing runs when no work is due by the later one's time.
So a run of events goes into one transaction on one working set (intake's chunk: state, then
each event decided in order with its own time, engine/intake/), and after each event its rows
are flushed and the due moments read again in the same transaction: the run ends after the
event that made work due by the next one's time (an enrollment's first step is due at once),
exactly where one by one would run that work. Nothing is guessed and nothing rolled back;
what the run saves against one by one is a transaction, its working set's reads and a
connection per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from nurture.clock import ManualClock
from nurture.engine.ingest import ingest_event
from nurture.engine.intake import core
from nurture.engine.intake.changes import Changes, write_transaction
from nurture.engine.intake.state import WorkingSet
from nurture.engine.runtime import Runtime
from nurture.engine.timeline import Moments
from nurture.formats import EventIn


def ingest_run(rt: Runtime, clock: ManualClock, events: Sequence[EventIn]) -> int:
    """Ingest ``events`` from the first on, in one transaction, until one makes work due by
    the next one's time; how many went in. The clock ends at the last one's time.

    ``events`` are in time order and all before the earliest work already due.
    """
    times, now = [], clock.now()
    for data in events:
        assert data.at is not None
        now = max(now, data.at)
        times.append(now)
    if len(events) == 1:
        clock.set(times[0])
        ingest_event(rt, events[0])
        return 1
    keyed = [(data.source_id(at), data, at) for data, at in zip(events, times, strict=True)]
    taken = 0
    with write_transaction(rt) as connection:
        ws = WorkingSet.read(rt, connection, {d.email for d in events}, {k for k, _, _ in keyed})
        changes = Changes(connection)
        for source_id, data, received in keyed:
            if taken and _due_by(connection, changes, received):
                break
            core.ingest(rt, ws, changes, source_id, data, received)
            taken += 1
        changes.flush()
    clock.set(times[taken - 1])
    return taken


def _due_by(connection: Connection, changes: Changes, moment: datetime) -> bool:
    """Some work, stored or just written, is due by ``moment``."""
    changes.flush()
    due = Moments.read_on(connection).first()
    return due is not None and due <= moment
