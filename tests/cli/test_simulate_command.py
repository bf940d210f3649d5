"""`nurture simulate` as a marketer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _nurture(*args: str, cwd: Path = ROOT / "example") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    return subprocess.run(
        [sys.executable, "-c", "from nurture.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_output_is_deterministic_and_the_html_page_is_written(tmp_path: Path) -> None:
    first = _nurture("simulate", "scenarios/ana.yaml", "--json", "--html", str(tmp_path / "a.html"))
    second = _nurture("simulate", "scenarios/ana.yaml", "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    kinds = [json.loads(line)["kind"] for line in first.stdout.splitlines()]
    assert kinds.count("sent") == 6 and "handoff" in kinds
    assert "<svg" in (tmp_path / "a.html").read_text()


def test_generated_engagement_runs_without_a_scenario() -> None:
    result = _nurture("simulate", "--contacts", "3", "--days", "5")
    assert result.returncode == 0, result.stderr
    assert "3 contacts," in result.stdout


def test_a_bad_scenario_names_the_line_and_nothing_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "start: 2026-03-02T08:00:00Z\ndays: 3\nevents:\n  - {at: soon, email: a@b.co, type: subscribed}\n"
    )
    result = _nurture("simulate", str(bad))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {bad}:4:10: events.0.at: Input should be a valid datetime or date, input is too short"
    )


def test_scenario_or_contacts_is_required() -> None:
    result = _nurture("simulate")
    assert result.returncode == 2
    assert "give either a SCENARIO file or --contacts N" in result.stderr
