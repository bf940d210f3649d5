"""``simulate_seconds`` and ``simulate_one_seconds``: generated contacts and their engagement
over 90 days through the simulator (``nurture simulate``: simulation/run.py), with the bench
workspace's 6-step journey.

The simulator runs on its own throwaway SQLite database whatever ``--database-url`` says, as
``nurture simulate`` does. Quick and tiny runs use fewer contacts; their figure is then
extrapolated linearly to 10k contacts, and the output says so. One contact is run first (the
process's first simulation: the schema and every statement's compiled form are built then)
and again five times after the large run; ``simulate_one_seconds`` is the best of those five.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nurture.bench.data import START, contacts, engagement
from nurture.bench.scratch import write_workspace
from nurture.bench.sizes import SIMULATE_TARGET_CONTACTS
from nurture.bench.timing import timed
from nurture.simulation.run import simulate
from nurture.simulation.scenario import Scenario

ONE_RUNS = 5


def run(folder: Path, count: int, days: int) -> dict[str, Any]:
    workspace = write_workspace(folder)
    one = Scenario(START, days, contacts(1), engagement(1, days))
    many = Scenario(START, days, contacts(count), engagement(count, days))
    with timed() as first:
        simulate(one, workspace)
    with timed() as watch:
        summary = simulate(many, workspace).summary()
    again = []
    for _ in range(ONE_RUNS):
        with timed() as each:
            simulate(one, workspace)
        again.append(each.seconds)
    scale = SIMULATE_TARGET_CONTACTS / count
    return {
        "simulate_seconds": watch.seconds * scale,
        "simulate_measured_seconds": watch.seconds,
        "simulate_contacts": count,
        "simulate_days": days,
        "simulate_events": len(many.events),
        "simulate_emails": summary.emails,
        "simulate_one_seconds": min(again),
        "simulate_one_first_seconds": first.seconds,
        "simulate_one_events": len(one.events),
    }
