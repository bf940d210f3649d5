"""Events ingested in runs write what one by one writes: every table, row by row, ids included.

simulation/runs.py ends a run after the event that makes work due by the next one's time;
replayed with ``together=False`` the same scenario goes one event per transaction, with the
due work looked for before each, as the simulator always did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.delivery.providers.memory import MemoryProvider
from nurture.demo import DEMO_START, generate
from nurture.simulation.replay import replay
from nurture.simulation.scenario import Scenario
from nurture.store.models import Base
from nurture.testing import make_harness

ROOT = Path(__file__).resolve().parents[2]
RANDOM = {"messages": {"uid"}}
"""Columns a run draws at random (a message's uid is a fresh UUID)."""


def _replayed(folder: Path, scenario: Scenario, together: bool) -> dict[str, list[Any]]:
    clock = ManualClock(scenario.start)
    harness = make_harness(folder, clock, ROOT / "example", provider=MemoryProvider(keep=False))
    assert replay(harness.runtime, clock, scenario, together=together) == []
    tables = {}
    with harness.runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            kept = [c for c in table.c if c.name not in RANDOM.get(table.name, set())]
            rows = connection.execute(select(*kept).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    harness.runtime.engine.dispose()
    return tables


@pytest.mark.parametrize("seed", [7, 11])
def test_runs_write_the_rows_one_by_one_writes(tmp_path: Path, seed: int) -> None:
    data = generate(seed, 40, 21)
    scenario = Scenario(DEMO_START, 21, data.contacts, data.events)
    alone = _replayed(tmp_path / "alone", scenario, together=False)
    together = _replayed(tmp_path / "together", scenario, together=True)
    assert len(alone["messages"]) > 40 and alone["handoffs"], "the mix sends and hands off"
    for name, rows in alone.items():
        assert together[name] == rows, name
