"""`nurture journeys draw` as a marketer runs it: from the files, or with the database's counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from nurture.charts.counts import counts_of
from nurture.charts.live import stored_chart, stored_versions
from nurture.reports.build import build_report
from nurture.reports.scope import Scope

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def _nurture(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    return subprocess.run(
        [sys.executable, "-c", "from nurture.cli import main; main()", *args],
        cwd=ROOT / "example",
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _figures(svg: str) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    tree = ElementTree.fromstring(svg)
    nodes = {
        (t.get("data-node", ""), t.get("data-metric", "")): int(t.get("data-value", "0"))
        for t in tree.iter(f"{SVG}text")
        if t.get("data-metric")
    }
    edges = {
        (t.get("data-source", ""), t.get("data-target", "")): int(t.get("data-value", "0"))
        for t in tree.iter(f"{SVG}text")
        if t.get("data-source")
    }
    return nodes, edges


def test_draw_writes_a_chart_with_one_node_per_step(tmp_path: Path) -> None:
    result = _nurture("journeys", "draw", "re-nurture", "--svg", str(tmp_path / "re.svg"))
    assert result.returncode == 0, result.stderr
    tree = ElementTree.parse(tmp_path / "re.svg").getroot()
    steps = [g.get("data-node") for g in tree.iter(f"{SVG}g") if "step" in g.get("class", "")]
    assert steps == [
        "rest",
        "subject-test",
        "checkin-question",
        "to-wait",
        "checkin-news",
        "wait-week",
        "engaged",
        "case-study",
        "finished",
        "quiet",
    ]
    page = _nurture(
        "journeys",
        "draw",
        "welcome",
        "--html",
        str(tmp_path / "w.html"),
        NURTURE_WORKSPACE="/nowhere",
    )
    assert page.returncode == 2
    page = _nurture(
        "journeys",
        "draw",
        "welcome",
        "--workspace",
        str(ROOT / "example"),
        "--html",
        str(tmp_path / "w.html"),
        NURTURE_WORKSPACE="/nowhere",
    )
    assert page.returncode == 0, page.stderr
    assert "Welcome nurture" in (tmp_path / "w.html").read_text()


def test_an_unknown_journey_names_the_known_ones() -> None:
    result = _nurture("journeys", "draw", "welcom")
    assert result.returncode == 2
    assert "no journey 'welcom'" in result.stderr and "welcome" in result.stderr


def test_stats_put_the_databases_counts_on_the_chart(walked: Any, tmp_path: Path) -> None:
    url = str(walked.runtime.engine.url)
    out = tmp_path / "hot.svg"
    result = _nurture(
        "journeys", "draw", "hot-lead", "--stats", "--svg", str(out), NURTURE_DATABASE_URL=url
    )
    assert result.returncode == 0, result.stderr
    nodes, edges = _figures(out.read_text())
    engine = walked.runtime.engine
    (current,) = [v for v in stored_versions(engine, "hot-lead") if v.current]
    chart = stored_chart(current)
    expected = counts_of(build_report(engine, Scope("sqlite", walked.now())), chart)
    assert nodes == {
        (node, metric): value
        for node, values in expected.nodes.items()
        for metric, value in values.items()
        if (node, metric) in nodes
    }
    assert nodes[("wait-click", "entered")] == 2 and nodes[("pricing-help", "clicked")] == 1
    assert {k: v for k, v in edges.items() if v} == expected.edges
    assert edges[("wait-click", "reminder")] == 1


def test_stats_need_a_published_journey(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert _nurture("db", "upgrade", NURTURE_DATABASE_URL=url).returncode == 0
    result = _nurture("journeys", "draw", "welcome", "--stats", NURTURE_DATABASE_URL=url)
    assert result.returncode == 2
    assert "not published" in result.stderr


def test_simulate_html_draws_every_journey_with_the_simulations_counts(tmp_path: Path) -> None:
    page = tmp_path / "sim.html"
    result = _nurture("simulate", "scenarios/ana.yaml", "--html", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert text.count('class="journey-chart"') == 5
    welcome = text.split('id="chart-welcome"', 1)[1].split("</svg>", 1)[0]
    assert 'data-node="welcome" data-metric="sent" data-value="2"' in welcome


def test_the_chart_shows_what_report_json_says(walked: Any, tmp_path: Path) -> None:
    """The figures on the chart are those of `nurture report --json`, step by step, edge by edge."""
    url = str(walked.runtime.engine.url)
    report = _nurture("report", "--json", NURTURE_DATABASE_URL=url)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    for journey in ("hot-lead", "re-nurture", "welcome"):
        out = tmp_path / f"{journey}.svg"
        drawn = _nurture(
            "journeys",
            "draw",
            journey,
            "--stats",
            "--svg",
            str(out),
            NURTURE_DATABASE_URL=url,
        )
        assert drawn.returncode == 0, drawn.stderr
        nodes, edges = _figures(out.read_text())
        expected: Counter[tuple[str, str]] = Counter()
        for row in data["steps"]:
            if row["journey"] == journey:
                for metric in ("sent", "delivered", "opened", "clicked", "failed", "exited"):
                    expected[(row["step"], metric)] += row[metric]
                expected[(row["step"], "goal")] += row["goal_reached"]
        for row in data["visits"]:
            if row["journey"] == journey:
                expected[(row["step"], "entered")] += row["entered"]
        for row in data["journeys"]:
            if row["journey"] == journey:
                expected[("@entry", "enrolled")] += row["enrolled"]
                expected[("@entry", "active")] += row["active"]
        moves: Counter[tuple[str, str]] = Counter()
        for row in data["moves"]:
            if row["journey"] == journey:
                moves[(row["from"] or "@entry", row["to"] or "@end")] += row["count"]
        shown = {k: v for k, v in nodes.items() if not k[0].startswith("@") or k[0] == "@entry"}
        assert shown == {k: expected[k] for k in shown}, journey
        assert {k: v for k, v in edges.items() if v} == +moves, journey
