"""Simulations in one process reuse the workspace's parts, but never a stale file or row."""

from __future__ import annotations

import shutil
from pathlib import Path

from nurture.simulation.run import Simulation, simulate
from nurture.simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _subjects(simulation: Simulation) -> list[str]:
    return [e.data["subject"] for e in simulation.entries if e.kind == "sent"]


def test_a_changed_template_is_read_again_and_each_run_starts_empty(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "example", workspace, ignore=shutil.ignore_patterns("tests"))
    scenario = load_scenario(workspace / "scenarios" / "ana.yaml")
    first = simulate(scenario, workspace)
    assert "Welcome to Acme, Ana" in _subjects(first)

    subject = workspace / "templates" / "welcome.subject"
    subject.write_text("Hello from the new subject, {{ contact.first_name }}\n")
    second = simulate(scenario, workspace)

    assert "Hello from the new subject, Ana" in _subjects(second)
    assert "Welcome to Acme, Ana" not in _subjects(second)
    assert len(second.entries) == len(first.entries)  # nothing left over from the first run
