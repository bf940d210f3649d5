"""A journey's chart is its definition as a graph: one node per step, every move an edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture.charts.model import END, ENTRY, GOALS, chart_of
from nurture.definitions.loader import load_workspace
from nurture.domain.journeys import Journey

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def journeys() -> dict[str, Journey]:
    workspace = load_workspace(ROOT / "example")
    return {j.id: j for j in workspace.journeys}


def test_every_step_is_one_node_after_the_entry(journeys: dict[str, Journey]) -> None:
    for journey in journeys.values():
        chart = chart_of(journey)
        assert [n.id for n in chart.steps] == journey.step_ids
        assert chart.nodes[0].id == ENTRY
        ids = {n.id for n in chart.nodes}
        assert all(e.source in ids and e.target in ids for e in chart.edges)


def test_a_wait_for_has_its_event_and_its_timeout_path(journeys: dict[str, Journey]) -> None:
    chart = chart_of(journeys["hot-lead"], {"pricing-help": "Questions about Acme pricing?"})
    edges = {e.key: e for e in chart.edges}
    assert edges[("wait-click", "clicked")].label == "email_clicked"
    assert edges[("wait-click", "reminder")].label == "after 2d"
    assert edges[("reminder", END)].kind == "next"
    assert ("clicked", END) not in edges  # an end step ends: no edge out
    send = chart.node("pricing-help")
    assert send.lines == ("template: pricing-help", "subject: Questions about Acme pricing?")
    reminder = chart.node("reminder")
    assert "subject: Still comparing plans, {{ contact.first_name or 'there' }}?" in reminder.lines
    entry = chart.node(ENTRY)
    assert "on event page_viewed (url = /pricing*)" in entry.lines
    assert "when page_viewed (url = /pricing*) at least 2 times within 7d" in entry.lines
    assert chart.node(GOALS).lines == ("reaches stage mql", "does demo_requested")


def test_a_split_shows_its_weights_and_a_branch_its_conditions(
    journeys: dict[str, Journey],
) -> None:
    chart = chart_of(journeys["re-nurture"])
    edges = {e.key: e for e in chart.edges}
    assert edges[("subject-test", "checkin-question")].label == "question 50%"
    assert edges[("subject-test", "checkin-news")].label == "news 50%"
    assert edges[("engaged", "case-study")].label == "email_clicked within 14d"
    assert edges[("engaged", "quiet")].label == "else"
    assert edges[("to-wait", "wait-week")].kind == "goto"
    assert chart.node("rest").title == "Wait 14d"
    assert chart.node("wait-week").title == "Wait until Tue 10:00"
    assert chart.node("quiet").lines == ("set renurture = unresponsive",)
    assert chart.node("subject-test").kind == "split"


def test_the_entry_and_an_update_in_words(journeys: dict[str, Journey]) -> None:
    chart = chart_of(journeys["hot-lead"])
    assert chart.node("intent-points").lines == ("+10 points: repeated pricing visits",)
    assert chart.node(ENTRY).lines[0] == "stages: lead, recycled"
    assert chart.node(ENTRY).lines[-1] == "re-entry after 30d"
