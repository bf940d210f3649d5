"""Replay contacts and events on a manual clock through the real engine."""

from __future__ import annotations

from collections.abc import Callable

from nurture.clock import ManualClock
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.timeline import advance_to
from nurture.simulation.scenario import Scenario


def replay(
    rt: Runtime,
    clock: ManualClock,
    scenario: Scenario,
    on_event: Callable[[], None] = lambda: None,
) -> None:
    """Contacts at the start, each event at its time, every due step at its own time."""
    for contact in scenario.contacts:
        import_contact(rt, contact)
    for event in scenario.events:
        assert event.at is not None
        advance_to(rt, clock, event.at)
        ingest_event(rt, event)
        on_event()
    advance_to(rt, clock, scenario.end)
