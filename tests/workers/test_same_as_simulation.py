"""One engine: a scenario run by the scheduler and Dramatiq workers is what `simulate` shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_event
from nurture.engine.sweeps import next_sweep, run_sweeps
from nurture.engine.timeline import next_due
from nurture.simulation.run import simulate
from nurture.simulation.scenario import load_scenario
from nurture.simulation.timeline import read_timeline
from nurture.workers.scheduler import Scheduler, to_broker

ROOT = Path(__file__).resolve().parents[2]


def test_the_scenario_through_scheduler_and_workers_matches_the_simulation(
    harness, actors, worker
) -> None:
    scenario = load_scenario(ROOT / "example" / "scenarios" / "ana.yaml")
    simulated = simulate(scenario, ROOT / "example", ROOT / "example" / "templates")

    rt, clock = harness.runtime, harness.clock
    assert clock.now() == scenario.start
    scheduler = Scheduler(rt, to_broker(), timedelta(minutes=5))

    def run_until(moment: datetime) -> None:
        """The deployment's loop on a manual clock: at each due time, sweep, claim, work."""
        while True:
            found = [m for m in (next_due(rt, moment), next_sweep(rt)) if m and m <= moment]
            if not found:
                break
            clock.set(max(min(found), clock.now()))
            run_sweeps(rt, clock.now())
            if scheduler.tick():
                actors.broker.join(actors.STEPS, fail_fast=True)
                worker.join()
        clock.set(max(moment, clock.now()))

    for contact in scenario.contacts:
        import_contact(rt, contact)
    for event in scenario.events:
        assert event.at is not None
        run_until(event.at)
        ingest_event(rt, event)
    run_until(scenario.end)

    with rt.sessions() as session:
        deployed = [entry.as_json() for entry in read_timeline(session)]
    assert deployed == [entry.as_json() for entry in simulated.entries]
    assert sum(1 for entry in deployed if entry["kind"] == "sent") == 6
