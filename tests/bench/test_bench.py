"""``nurture bench`` runs end to end and reports every figure with its baseline and goal.

These tests run the real command in its hidden tiny mode (a few seconds): they check the shape
of the report, never a speed; speed targets live in the benchmark itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from nurture.bench.runner import PAIRS, goals, paired, print_table

NURTURE = Path(sys.executable).with_name("nurture")
FIGURES = (
    "ingest_ratio",
    "ingest_write_ratio",
    "send_ratio",
    "tick_scan_ratio",
    "simulate_seconds",
    "simulate_one_seconds",
    "import_peak_rss_mb",
    "worker_scaling_of_bound",
)
COMPANIONS = (
    "ingest_per_s",
    "ingest_baseline_per_s",
    "ingest_write_seconds",
    "ingest_seconds",
    "ingest_statements_per_event",
    "send_per_s",
    "send_baseline_per_s",
    "tick_scan_small_seconds",
    "tick_scan_large_seconds",
    "import_per_s",
)


def bench(tmp_path: Path, *options: str) -> dict[str, Any]:
    env = {**os.environ, "NURTURE_DATABASE_URL": f"sqlite:///{tmp_path / 'untouched.db'}"}
    done = subprocess.run(
        [str(NURTURE), "bench", "--quick", "--tiny", "--json", *options],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def check_report(result: dict[str, Any], database: str) -> None:
    assert result["database"] == database
    assert result["mode"] == "tiny"
    for key in FIGURES[:-1] + COMPANIONS:
        assert isinstance(result[key], float), key
        assert result[key] > 0, key
    assert result["ingest_ratio"] == pytest.approx(
        result["ingest_per_s"] / result["ingest_baseline_per_s"]
    )
    # each ratio is its own median; the companions come from the run of the median ingest_ratio
    assert result["ingest_write_ratio"] == sorted(result["ingest_write_ratio_runs"])[2]
    write_ratio = result["ingest_write_seconds"] / result["ingest_seconds"]
    assert any(value == pytest.approx(write_ratio) for value in result["ingest_write_ratio_runs"])
    assert result["ingest_floor_ratio"] == pytest.approx(
        result["ingest_ratio"] / result["ingest_write_ratio"]
    )
    assert result["ingest_rows_written"] > result["ingest_events"]
    assert result["send_ratio"] == pytest.approx(
        result["send_per_s"] / result["send_baseline_per_s"]
    )
    assert "extrapolated" in result["notes"]["simulate_seconds"]
    assert result["simulate_emails"] > 0
    engine_alone = (
        result["simulate_events"] / result["ingest_per_s"]
        + result["simulate_emails"] / result["send_per_s"]
    )  # at this run's rates, scaled to 10k contacts as simulate_seconds is
    scale = result["simulate_seconds"] / result["simulate_measured_seconds"]
    assert result["simulate_floor_seconds"] == pytest.approx(engine_alone * scale)
    assert set(result["goals"]) == set(FIGURES)
    for key, goal in result["goals"].items():
        assert goal["met"] in (True, False, None), key


def test_bench_reports_every_figure_on_sqlite(tmp_path: Path) -> None:
    result = bench(tmp_path)

    check_report(result, "sqlite")
    assert result["goals"]["ingest_ratio"]["goal"] == ">= 0.2"
    assert result["worker_scaling"] is None
    assert result["worker_scaling_of_bound"] is None
    assert result["goals"]["worker_scaling_of_bound"]["met"] is None
    assert "--redis-url" in result["notes"]["worker_scaling_of_bound"]
    assert "PostgreSQL --database-url" in result["notes"]["worker_scaling_of_bound"]
    assert list(tmp_path.iterdir()) == [], "the bench wrote outside its scratch folder"

    console = Console(record=True, width=200)
    print_table(result, console)
    text = console.export_text()
    for goal in goals("sqlite"):
        assert goal.key in text
    assert "not measured: needs --redis-url" in text
    assert f"median of {PAIRS}" in text
    assert len(result["send_ratio_runs"]) == PAIRS


def test_short_ratios_are_the_medians_of_pairs_measured_side_by_side() -> None:
    """Each ratio is its own median; the other figures come from the run of the first's."""
    ratios = iter([(0.30, 0.9), (0.10, 0.5), (0.20, 0.1), (0.25, 0.7), (0.15, 0.6)])
    counter = iter(range(PAIRS))

    def measure() -> dict[str, Any]:
        first, second = next(ratios)
        return {"a_ratio": first, "b_ratio": second, "a_per_s": next(counter)}

    result = paired(measure, ("a_ratio", "b_ratio"))

    assert result["a_ratio"] == 0.20 and result["a_per_s"] == 2
    assert result["b_ratio"] == 0.6
    assert result["a_ratio_runs"] == [0.10, 0.15, 0.20, 0.25, 0.30]
    assert result["b_ratio_runs"] == [0.1, 0.5, 0.6, 0.7, 0.9]


@pytest.mark.postgres
def test_bench_runs_on_postgresql_in_a_scratch_database_and_workers_on_redis(
    tmp_path: Path, postgres_server_url: str, redis_url: str
) -> None:
    result = bench(tmp_path, "--database-url", postgres_server_url, "--redis-url", redis_url)

    check_report(result, "postgresql")
    assert result["goals"]["ingest_ratio"]["goal"] == ">= 0.25"
    assert result["worker_scaling"] == pytest.approx(
        result["worker_scaling_two_per_s"] / result["worker_scaling_one_per_s"]
    )
    assert result["worker_scaling"] > 0
    assert result["worker_scaling_sends"] == 20
    assert result["worker_scaling_of_bound"] == pytest.approx(
        result["worker_scaling"] / result["worker_scaling_bound"]
    )
    assert result["goals"]["worker_scaling_of_bound"]["goal"] == ">= 0.9"
    assert "worker_scaling_of_bound" not in result["notes"]
    assert list(tmp_path.iterdir()) == [], "the bench wrote outside its scratch folder"

    console = Console(record=True, width=200)
    print_table(result, console)
    assert "with 2 processes vs" in console.export_text()


def test_bench_refuses_a_broker_url_that_is_not_redis(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(NURTURE), "bench", "--tiny", "--redis-url", "amqp://guest:guest@127.0.0.1/"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert "use a redis:// URL" in done.stderr
