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

The flush and the read are needed only when the event's buffered rows could have moved the
earliest due moment to or before the next event's time: an enrollment, a handoff or a
notification written, or a contact whose decay falls due by then. Otherwise the moment last
read stands (the moments read no other rows), and the rows wait for the next flush: a later
flush writes the same rows with the same ids, as intake's chunks do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nurture.clock import ManualClock
from nurture.engine.ingest import ingest_event
from nurture.engine.intake import core
from nurture.engine.intake.changes import Changes, write_transaction
from nurture.engine.intake.records import ContactRow
from nurture.engine.intake.state import WorkingSet
from nurture.engine.runtime import Runtime
from nurture.engine.timeline import Moments
from nurture.formats import EventIn


def ingest_run(
    rt: Runtime, clock: ManualClock, events: Sequence[EventIn], due: datetime | None
) -> int:
    """Ingest ``events`` from the first on, in one transaction, until one makes work due by
    the next one's time; how many went in. The clock ends at the last one's time.

    ``events`` are in time order and all before ``due``, the earliest work already due.
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
        read = changes.flushes  # ``due`` is as of this flush
        for source_id, data, received in keyed:
            if taken and (read != changes.flushes or _may_be_due(changes, due, received)):
                changes.flush()
                due, read = Moments.read_on(connection).first(), changes.flushes
                if due is not None and due <= received:
                    break
            core.ingest(rt, ws, changes, source_id, data, received)
            taken += 1
        changes.flush()
    clock.set(times[taken - 1])
    return taken


def _may_be_due(changes: Changes, due: datetime | None, moment: datetime) -> bool:
    """Some work may be due by ``moment``: ``due`` (as last read) is, or the rows buffered
    since could have made some due (the moments' tables other than contacts, a new contact,
    a changed contact's decay, a changed handoff's check)."""
    if any(changes.new_rows(t) for t in ("contacts", "enrollments", "handoffs", "notifications")):
        return True
    if changes.changed("enrollments") or changes.changed("handoffs"):
        return True
    decays = (c.decay_due_at for c in changes.changed("contacts") if isinstance(c, ContactRow))
    return any(m is not None and m <= moment for m in (due, *decays))
