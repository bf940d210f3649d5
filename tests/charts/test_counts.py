"""The numbers on a chart are the report's: per step and per edge, for the walked story."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nurture.charts.counts import counts_of
from nurture.charts.live import stored_chart, stored_versions
from nurture.charts.model import END, ENTRY, GOALS
from nurture.reports.build import build_report
from nurture.reports.scope import Scope


def _chart_and_counts(walked: Any, journey: str):
    engine = walked.runtime.engine
    (current,) = [v for v in stored_versions(engine, journey) if v.current]
    chart = stored_chart(current)
    report = build_report(engine, Scope("sqlite", walked.now()))
    return chart, counts_of(report, chart), report


def test_each_path_of_the_hot_lead_journey_is_counted(walked: Any) -> None:
    _, counts, _ = _chart_and_counts(walked, "hot-lead")
    assert counts.nodes[ENTRY]["enrolled"] == 2
    assert counts.edges[(ENTRY, "intent-points")] == 2
    assert counts.nodes["pricing-help"]["entered"] == 2
    assert counts.nodes["pricing-help"]["sent"] == 2
    assert counts.nodes["pricing-help"]["clicked"] == 1
    assert counts.edges[("wait-click", "clicked")] == 1  # Ben clicked
    assert counts.edges[("wait-click", "reminder")] == 1  # Cat timed out
    assert counts.nodes["reminder"]["sent"] == 1
    assert counts.edges[("reminder", END)] == 1 == counts.nodes[END]["completed"]


def test_a_goal_reached_is_counted_at_its_step_and_in_the_goals(walked: Any) -> None:
    _, counts, _ = _chart_and_counts(walked, "welcome")
    goal_steps = {step: n["goal"] for step, n in counts.nodes.items() if n.get("goal")}
    assert sum(v for k, v in goal_steps.items() if k != GOALS) == 1  # Dan became an MQL
    assert counts.nodes[GOALS]["goal"] == 1
    assert counts.nodes["welcome"]["sent"] == 4
    assert counts.nodes["welcome"]["opened"] == 1


def test_what_enters_a_step_came_along_its_edges(walked: Any) -> None:
    for journey in ("welcome", "hot-lead"):
        chart, counts, _ = _chart_and_counts(walked, journey)
        incoming: Counter[str] = Counter()
        for (_, target), n in counts.edges.items():
            incoming[target] += n
        for step in chart.steps:
            assert counts.nodes[step.id].get("entered", 0) == incoming[step.id], step.id
        left: Counter[str] = Counter()
        for (source, _), n in counts.edges.items():
            left[source] += n
        for step in chart.steps:
            values = counts.nodes[step.id]
            still = values.get("entered", 0) - left[step.id] - values["goal"] - values["exited"]
            assert still >= 0, step.id


def test_the_chart_shows_exactly_the_report_rows(walked: Any) -> None:
    _, counts, report = _chart_and_counts(walked, "hot-lead")
    for row in report.steps:
        if row.journey == "hot-lead":
            for metric in ("sent", "failed", "delivered", "opened", "clicked", "goal", "exited"):
                assert counts.nodes[row.step][metric] == row.counts[metric]
    moves = {
        (m.source or ENTRY, m.target or END): m.contacts
        for m in report.moves
        if m.journey == "hot-lead"
    }
    assert counts.edges == moves


def test_a_split_and_a_branch_count_the_way_each_contact_went(walked: Any) -> None:
    _, counts, _ = _chart_and_counts(walked, "re-nurture")
    variants = {
        target: n for (source, target), n in counts.edges.items() if source == "subject-test"
    }
    assert sum(variants.values()) == 1 == counts.nodes["subject-test"]["entered"]
    assert counts.edges[("engaged", "quiet")] == 1  # Dan clicked nothing: the else branch
    assert counts.edges.get(("engaged", "case-study"), 0) == 0
    assert counts.nodes[END]["completed"] == 1
