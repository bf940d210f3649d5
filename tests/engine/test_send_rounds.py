"""A send round writes what the same contacts write one per round, row for row.

The demo's generated engagement is replayed through the example workspace (sends, waits,
branches, updates and handoffs run inside a round, notify steps to owners, the frequency
cap across journeys) twice on SQLite: contacts run as many per batch as the tick chunks them,
and one per batch. A round decides every enrollment on its one read of state, buffers
the rows and writes them per table; one contact per round reads everything afresh. Every
table is compared whole; rows of the tables whose ids only count rows (messages, decisions)
are compared without them, as the two runs make them in another order across contacts.
(The rows are the same as the engine's before the rounds were set-based: the demo's
replay, compared whole on SQLite and PostgreSQL, docs/performance.md.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress
from sqlalchemy import select

import nurture.engine.tick as tick
from nurture.bootstrap import open_runtime
from nurture.clock import ManualClock
from nurture.demo import DEMO_START, run_demo
from nurture.settings import load_settings
from nurture.store.migrate import upgrade
from nurture.store.models import Base

EXAMPLE = Path(__file__).parents[2] / "example"
_ORDERED_BY_ROUND = {"messages", "branch_decisions"}


def _replayed(folder: Path) -> dict[str, list[tuple[Any, ...]]]:
    url = f"sqlite:///{folder / 'nurture.db'}"
    upgrade(url)
    settings = load_settings(database_url=url, outbox_dir=folder / "outbox", workspace=EXAMPLE)
    clock = ManualClock(DEMO_START)
    rt = open_runtime(settings, clock=clock)
    try:
        run_demo(
            rt,
            clock,
            folder / "outbox",
            seed=18,
            contacts=30,
            days=21,
            reset=False,
            progress=Progress(),
        )
        with rt.engine.connect() as connection:
            return {
                table.name: sorted(
                    (
                        tuple(value for key, value in row._mapping.items() if key != "id")
                        if table.name in _ORDERED_BY_ROUND
                        else tuple(row)
                        for row in connection.execute(select(table))
                    ),
                    key=repr,
                )
                for table in Base.metadata.sorted_tables
            }
    finally:
        rt.engine.dispose()


def test_a_round_of_many_contacts_writes_what_one_contact_per_round_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batched = _replayed(tmp_path / "batched")
    monkeypatch.setattr(tick, "CHUNK", 1)
    alone = _replayed(tmp_path / "alone")
    assert len(batched["messages"]) > 50
    assert batched["branch_decisions"] and batched["handoffs"]
    for name, rows in alone.items():
        assert batched[name] == rows, name
