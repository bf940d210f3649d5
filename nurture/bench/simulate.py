"""``simulate_seconds``: generated contacts and their engagement over 90 days, on a virtual
clock, through the real engine and a 6-step journey.

The same path as ``nurture demo``: contacts imported, then every event replayed at its own
time with ``engine.timeline.advance_to`` running each due step on time in between. Quick and
tiny runs use fewer contacts; their figure is then extrapolated linearly to 10k contacts, and
the output says so.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from nurture.bench.data import START, contacts, engagement
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.bench.sizes import SIMULATE_TARGET_CONTACTS
from nurture.bench.timing import timed
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_event
from nurture.engine.timeline import advance_to


def run(server_url: str | None, folder: Path, count: int, days: int) -> dict[str, Any]:
    people = contacts(count)
    events = engagement(count, days)
    provider = NullProvider()
    clock = ManualClock(START)
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, clock, provider)
        try:
            with timed() as watch:
                for person in people:
                    import_contact(rt, person)
                for event in events:
                    assert event.at is not None
                    advance_to(rt, clock, event.at)
                    ingest_event(rt, event)
                advance_to(rt, clock, START + timedelta(days=days))
        finally:
            rt.engine.dispose()
    scale = SIMULATE_TARGET_CONTACTS / count
    return {
        "simulate_seconds": watch.seconds * scale,
        "simulate_measured_seconds": watch.seconds,
        "simulate_contacts": count,
        "simulate_days": days,
        "simulate_events": len(events),
        "simulate_emails": provider.sent,
    }
