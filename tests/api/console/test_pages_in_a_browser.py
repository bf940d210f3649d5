"""The console in headless Chromium: every page loads offline and clean, the chart shows the
report's numbers, the keyboard reaches every link, and a phone can read it all.

Screenshots for docs/console.md are written to docs/console/ when NURTURE_SCREENSHOTS=1
(to a temporary folder otherwise, so a plain test run leaves the tree untouched).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nurture.charts.counts import counts_of
from nurture.charts.live import stored_chart, stored_versions
from nurture.reports.build import build_report
from nurture.reports.scope import Scope

ROOT = Path(__file__).resolve().parents[3]
PAGES = {
    "journeys": "/console/journeys",
    "journey": "/console/journeys/hot-lead",
    "journey-version": "/console/journeys/welcome?version=1&since=2026-03-01",
    "contacts": "/console/contacts",
    "contacts-search": "/console/contacts?q=delta",
    "contact": "/console/contact?email=dan%40delta.example",
    "report": "/console/report",
    "report-cohorts": "/console/report?cohort=week",
    "validation": "/console/validation",
}


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("NURTURE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "console"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def _log_in(page: Any, base: str, next_page: str = "/console/journeys") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}{next_page}")
    assert "/console/login" in page.url
    page.fill("#token", "console-token")
    page.click("form.login button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url == f"{base}{next_page}"


@pytest.fixture
def console(served: Any, page_of: dict[str, Any]) -> Iterator[dict[str, Any]]:
    _log_in(page_of["page"], served.base)
    page_of["errors"].clear()
    page_of["requests"].clear()
    yield page_of


def test_without_the_login_every_page_shows_the_login(served: Any, page_of: Any) -> None:
    page = page_of["page"]
    page.context.clear_cookies()
    for path in PAGES.values():
        page.goto(f"{served.base}{path}")
        assert page.url.startswith(f"{served.base}/console/login?next=")
        assert page.locator("#token").is_visible()
    _log_in(page, served.base, "/console/contact?email=dan%40delta.example")
    assert page.locator("h1").inner_text() == "dan@delta.example"
    assert page_of["errors"] == []


def test_every_page_loads_clean_and_asks_nothing_outside_the_app(
    served: Any, console: dict[str, Any], shots: Path
) -> None:
    page = console["page"]
    page.set_viewport_size({"width": 1100, "height": 800})
    for name, path in PAGES.items():
        response = page.goto(f"{served.base}{path}")
        assert response is not None and response.status == 200, name
        assert page.locator("main h1").count() == 1, name
        if name in ("journeys", "journey", "contact", "report", "validation"):
            page.screenshot(path=str(shots / f"{name}.png"))
    assert console["errors"] == []
    outside = [u for u in console["requests"] if not u.startswith((served.base, "data:"))]
    assert outside == []


def test_the_chart_has_one_node_per_step_and_the_reports_numbers(
    served: Any, console: dict[str, Any]
) -> None:
    page = console["page"]
    page.goto(f"{served.base}/console/journeys/hot-lead")
    engine = served.harness.runtime.engine
    (current,) = [v for v in stored_versions(engine, "hot-lead") if v.current]
    chart = stored_chart(current)
    steps = page.eval_on_selector_all(
        "svg.journey-chart g.node.step", "nodes => nodes.map(n => n.dataset.node)"
    )
    assert steps == [n.id for n in chart.steps]
    assert all(
        box["width"] > 0
        for box in page.eval_on_selector_all(
            "svg.journey-chart g.node.step rect",
            "rects => rects.map(r => r.getBoundingClientRect().toJSON())",
        )
    )
    shown = {
        (node, metric): int(value)
        for node, metric, value in page.eval_on_selector_all(
            "svg.journey-chart text[data-metric]",
            "ts => ts.map(t => [t.dataset.node, t.dataset.metric, t.dataset.value])",
        )
    }
    edges = {
        (source, target): int(value)
        for source, target, value in page.eval_on_selector_all(
            "svg.journey-chart text[data-source]",
            "ts => ts.map(t => [t.dataset.source, t.dataset.target, t.dataset.value])",
        )
    }
    report = build_report(engine, Scope("sqlite", served.harness.now()))
    expected = counts_of(report, chart)
    for (node, metric), value in shown.items():
        assert value == expected.nodes.get(node, {}).get(metric, 0), (node, metric)
    assert shown[("wait-click", "entered")] == 2 and shown[("pricing-help", "clicked")] == 1
    assert {k: v for k, v in edges.items() if v} == expected.edges
    assert edges[("wait-click", "clicked")] == 1 and edges[("wait-click", "reminder")] == 1
    versions = page.eval_on_selector_all("table.versions tr[data-version]", "rs => rs.length")
    assert versions == 1


def test_the_contact_page_explains_the_score_and_the_handoff(
    served: Any, console: dict[str, Any]
) -> None:
    page = console["page"]
    page.goto(f"{served.base}/console/contact?email=dan%40delta.example")
    assert page.locator("dd[data-field=stage]").inner_text() == "recycled"
    ledger = page.eval_on_selector_all(
        "table.ledger tbody tr td.n", "cells => cells.map(c => Number(c.textContent))"
    )
    assert sum(ledger) == int(page.locator("dd[data-field=score]").inner_text())
    kinds = set(
        page.eval_on_selector_all(
            "table.timeline tr[data-kind]", "rs => rs.map(r => r.dataset.kind)"
        )
    )
    assert {"event", "score", "stage", "journey", "email", "handoff", "split", "branch"} <= kinds
    assert page.locator("table.sla tbody tr").count() == 1


def test_validation_lists_each_problem_with_file_line_and_column(
    served: Any, console: dict[str, Any]
) -> None:
    page = console["page"]
    page.goto(f"{served.base}/console/validation")
    cells = page.eval_on_selector_all("table.problems tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(cells) == 1
    assert "welcome.yaml:" in cells[0] and "'2 dayz' is not a duration" in cells[0]
    where = page.locator("table.problems tbody td code").inner_text()
    path, line, col = where.rsplit(":", 2)
    assert path == "welcome.yaml" and int(line) > 1 and int(col) >= 1


def test_the_keyboard_reaches_every_link(served: Any, console: dict[str, Any]) -> None:
    page = console["page"]
    for path in (PAGES["journeys"], PAGES["journey"], PAGES["contacts-search"]):
        page.goto(f"{served.base}{path}")
        links = set(page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"))
        reached: set[str] = set()
        for _ in range(len(links) + 40):
            page.keyboard.press("Tab")
            href = page.evaluate("document.activeElement && document.activeElement.href")
            if href:
                reached.add(href)
            if reached >= links:
                break
        assert reached >= links, links - reached
    page.goto(f"{served.base}/console/journeys")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_every_page_is_readable_at_phone_width(
    served: Any, console: dict[str, Any], shots: Path
) -> None:
    page = console["page"]
    page.set_viewport_size({"width": 375, "height": 740})
    for name, path in PAGES.items():
        page.goto(f"{served.base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (name, width)
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14
        if name in ("journey", "contact"):
            page.screenshot(path=str(shots / f"{name}-phone.png"))
    assert console["errors"] == []
