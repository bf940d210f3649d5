"""Run every benchmark, compare each figure with its goal, print a table or JSON."""

from __future__ import annotations

import json
import math
import platform
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from nurture.bench import import_rss, ingest, send, simulate, tick_scan, workers
from nurture.bench.scratch import backend
from nurture.bench.sizes import Sizes


@dataclass(frozen=True)
class Goal:
    key: str
    what: str
    op: str  # ">=" or "<="
    limit: float
    unit: str = ""

    def met(self, value: float | None) -> bool | None:
        if value is None or math.isnan(value):
            return None
        return value >= self.limit if self.op == ">=" else value <= self.limit


def goals(database: str) -> list[Goal]:
    return [
        Goal(
            "ingest_ratio",
            "events/s, whole path / raw executemany insert",
            ">=",
            0.25 if database == "postgresql" else 0.2,
        ),
        Goal(
            "ingest_write_ratio",
            "time writing the rows ingest wrote (executemany) / ingest's time",
            ">=",
            0.5,
        ),
        Goal("send_ratio", "due steps/s / raw sandboxed render", ">=", 0.2),
        Goal("tick_scan_ratio", "claim time, 100x enrollments / 1x", "<=", 1.5),
        Goal("simulate_seconds", "10k contacts, 90 days, 6-step journey", "<=", 20, " s"),
        Goal("simulate_one_seconds", "1 contact, 90 days, in process", "<=", 0.1, " s"),
        Goal("import_peak_rss_mb", "peak RSS importing events (JSONL)", "<=", 300, " MB"),
        Goal(
            "worker_scaling_of_bound",
            "2 workers / 1 on Redis, as a share of what this machine allows",
            ">=",
            0.9,
        ),
    ]


def run_all(
    sizes: Sizes,
    database_url: str | None = None,
    redis_url: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every figure, its companions, the goals and the notes, as one JSON-ready object."""
    database = backend(database_url)
    result: dict[str, Any] = {
        "database": database,
        "mode": sizes.name,
        "python": platform.python_version(),
    }
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="nurture-bench-") as scratch:
        folder = Path(scratch)
        steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
            (
                "ingest",
                lambda: paired(
                    lambda: ingest.run(database_url, folder, sizes.ingest_events),
                    ("ingest_ratio", "ingest_write_ratio"),
                ),
            ),
            (
                "send",
                lambda: paired(
                    lambda: send.run(database_url, folder, sizes.sends), ("send_ratio",)
                ),
            ),
            (
                "tick scan",
                lambda: tick_scan.run(
                    database_url, folder, sizes.scan_small, sizes.scan_large, sizes.scan_due
                ),
            ),
            (
                "simulate",
                lambda: simulate.run(folder, sizes.simulate_contacts, sizes.simulate_days),
            ),
            ("import", lambda: import_rss.run(database_url, folder, sizes.import_events)),
            (
                "workers",
                lambda: workers.run(database_url, redis_url, folder, sizes.worker_sends),
            ),
        ]
        for name, step in steps:
            progress(name)
            result.update(step())
    result["simulate_floor_seconds"] = _simulate_floor(result)
    result["ingest_floor_ratio"] = result["ingest_ratio"] / result["ingest_write_ratio"]
    if result["simulate_contacts"] != 10_000 or result["simulate_days"] != 90:
        notes["simulate_seconds"] = (
            f"measured {result['simulate_measured_seconds']:.2f} s with "
            f"{result['simulate_contacts']} contacts over {result['simulate_days']} days, "
            "extrapolated linearly to 10k contacts"
        )
    if result["import_events"] != 1_000_000:
        notes["import_peak_rss_mb"] = f"measured on {result['import_events']} events, not 1M"
    scaling, bound = result["worker_scaling"], result.get("worker_scaling_bound")
    result["worker_scaling_of_bound"] = scaling / bound if scaling and bound else None
    if (why := workers.missing(database_url, redis_url)) is not None:
        notes["worker_scaling_of_bound"] = why
    result["goals"] = {
        goal.key: {"goal": f"{goal.op} {goal.limit:g}", "met": goal.met(result[goal.key])}
        for goal in goals(database)
    }
    result["notes"] = notes
    return result


PAIRS = 5
"""How many times the ratios of short parts are measured (engine and baseline side by side
each time): a quick run's baseline lasts a tenth of a second, and one pair alone moved by
half from run to run on a shared machine."""


def paired(measure: Callable[[], dict[str, Any]], ratios: tuple[str, ...]) -> dict[str, Any]:
    """``measure`` run :data:`PAIRS` times: the run whose first ratio is the median, each
    ratio the median of its own values, and every value under ``<ratio>_runs``."""
    runs = [measure() for _ in range(PAIRS)]
    runs.sort(key=lambda run: float(run[ratios[0]]))
    result = dict(runs[len(runs) // 2])
    for key in ratios:
        values = [float(run[key]) for run in runs]
        result[key] = statistics.median(values)
        result[f"{key}_runs"] = sorted(values)
    return result


def _simulate_floor(result: dict[str, Any]) -> float:
    """What the simulated events and emails alone cost at this run's ingest and send rates,
    scaled as simulate_seconds is: the engine's share, with no simulator around it."""
    engine = (
        result["simulate_events"] / result["ingest_per_s"]
        + result["simulate_emails"] / result["send_per_s"]
    )
    return float(engine * result["simulate_seconds"] / result["simulate_measured_seconds"])


def _companions(key: str, result: dict[str, Any]) -> str:
    measured = _measured(key, result)
    runs = result.get(f"{key}_runs")
    if runs:
        spread = f"median of {len(runs)}, {runs[0]:.2f}-{runs[-1]:.2f}"
        return f"{measured}; {spread}" if measured else spread
    return measured


def _measured(key: str, result: dict[str, Any]) -> str:
    stem = key.removesuffix("_ratio")
    if f"{stem}_per_s" in result and f"{stem}_baseline_per_s" in result:
        rates = (
            f"{result[f'{stem}_per_s']:,.0f}/s vs baseline "
            f"{result[f'{stem}_baseline_per_s']:,.0f}/s"
        )
        if key == "ingest_ratio":
            return f"{rates}; at its write floor: {result['ingest_floor_ratio']:.2f}"
        return rates
    if key == "ingest_write_ratio":
        return (
            f"{result['ingest_write_seconds']:.2f} s writing its {result['ingest_rows_written']:,} "
            f"rows vs {result['ingest_seconds']:.2f} s ingesting {result['ingest_events']:,} "
            f"events; {result['ingest_statements_per_event']:.3f} statements per event"
        )
    if key == "tick_scan_ratio":
        small, large = result["tick_scan_rows"]
        return (
            f"{result['tick_scan_large_seconds'] * 1000:.1f} ms at {large:,} rows vs "
            f"{result['tick_scan_small_seconds'] * 1000:.1f} ms at {small:,} "
            f"({result['tick_scan_due']:,} due)"
        )
    if key == "import_peak_rss_mb":
        return f"{result['import_events']:,} events at {result['import_per_s']:,.0f}/s"
    if key == "worker_scaling_of_bound" and result[key] is not None:
        return (
            f"worker_scaling {result['worker_scaling']:.2f} of a bound of "
            f"{result['worker_scaling_bound']:.2f}: "
            f"{result['worker_scaling_two_per_s']:,.0f}/s with 2 processes vs "
            f"{result['worker_scaling_one_per_s']:,.0f}/s with 1 "
            f"({result['worker_scaling_sends']:,} sends, {result['worker_scaling_threads']} threads each); "
            f"{result['worker_scaling_cores']} cores {result['worker_scaling_busy']:.0%} busy"
        )
    if key == "simulate_seconds":
        return (
            f"{result['simulate_events']:,} events, {result['simulate_emails']:,} emails; "
            f"their ingest and sends alone: {result['simulate_floor_seconds']:,.0f} s"
        )
    if key == "simulate_one_seconds":
        return (
            f"{result['simulate_one_events']} events; best of 5 after the large run "
            f"(the process's first: {result['simulate_one_first_seconds']:.2f} s)"
        )
    return ""


def print_table(result: dict[str, Any], console: Console) -> None:
    title = f"nurture bench ({result['mode']}, {result['database']})"
    table = Table(title=title)
    for column in ("figure", "value", "goal", "met", "measured"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for goal in goals(result["database"]):
        value = result[goal.key]
        met = result["goals"][goal.key]["met"]
        table.add_row(
            goal.key,
            "-" if value is None else f"{value:.2f}{goal.unit}",
            f"{goal.op} {goal.limit:g}{goal.unit}",
            {True: "yes", False: "NO", None: "-"}[met],
            _companions(goal.key, result) or result["notes"].get(goal.key, ""),
        )
    console.print(table)
    for key, note in result["notes"].items():
        console.print(f"{key}: {note}", highlight=False)


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, sort_keys=True)
