"""`nurture report --html`: the page renders its charts in headless Chromium, offline, with
the report's numbers and no console error (the browser fixtures are in tests/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.build import Report, build_report
from nurture.reports.html import as_html
from nurture.reports.scope import Scope
from nurture.store.db import make_engine


def _values(page: Any, selector: str, *keys: str) -> list[tuple[Any, ...]]:
    """(data-* keys..., data-value, rendered width, rendered height) of each mark."""
    return [
        tuple(row)
        for row in page.eval_on_selector_all(
            selector,
            """(marks, keys) => marks.map(m => {
                const box = m.getBoundingClientRect();
                return [...keys.map(k => m.dataset[k]), Number(m.dataset.value), box.width, box.height];
            })""",
            list(keys),
        )
    ]


def _report(known: Any) -> Report:
    engine = make_engine(known.url)
    try:
        return build_report(engine, Scope("sqlite", known.now, cohort="month"))
    finally:
        engine.dispose()


def test_the_page_renders_every_chart_with_the_report_numbers(
    known_sqlite: Any, page_of: dict[str, Any], tmp_path: Path
) -> None:
    report = _report(known_sqlite)
    page_file = tmp_path / "report.html"
    page_file.write_text(as_html(report), encoding="utf-8")
    page = page_of["page"]
    page.goto(page_file.as_uri(), wait_until="load")

    reached: Counter[str] = Counter()
    for row in report.funnel:
        reached.update(row.reached)
    funnel = _values(page, "#funnel-chart rect[data-stage]", "stage")
    assert [(stage, value) for stage, value, _, _ in funnel] == [
        (stage, reached[stage]) for stage in FUNNEL[1:]
    ]
    assert [s for s, v, width, _ in funnel if v] == [s for s, v, width, _ in funnel if width > 0]
    assert reached["lead"] == 6 and reached["customer"] == 1

    points = _values(page, "#over-time-chart circle[data-stage]", "stage", "period")
    expected_points = {
        (stage, row.period): row.entered[stage]
        for row in report.over_time
        for stage in FUNNEL[1:]
        if any(r.entered[stage] for r in report.over_time)
    }
    assert {(s, p): v for s, p, v, _, _ in points} == expected_points
    assert all(width > 0 for *_, width, _ in points)

    steps: Counter[tuple[str, str, str]] = Counter()
    for step in report.steps:
        if step.kind == "send":
            for metric in ("sent", "delivered", "opened", "clicked"):
                steps[(step.journey, step.step, metric)] += step.counts[metric]
    bars = _values(page, ".step-chart rect[data-step]", "journey", "step", "metric")
    assert {(j, s, m): v for j, s, m, v, _, _ in bars} == dict(steps)
    assert {(j, s, m) for j, s, m, v, _, h in bars if h > 0} == {k for k, v in steps.items() if v}
    assert steps[("welcome", "welcome", "opened")] == 1

    buckets: Counter[str] = Counter()
    for bucket in report.histogram:
        buckets[str(bucket.low)] += bucket.contacts
    histogram = _values(page, "#score-chart rect[data-low]", "low")
    assert {low: v for low, v, _, _ in histogram} == dict(buckets)
    assert sum(v for _, v, _, _ in histogram) == 7

    tables = page.eval_on_selector_all("table caption", "cs => cs.map(c => c.textContent)")
    assert "Handoff SLA per owner" in tables and "Conversion" in tables
    assert page_of["errors"] == []
    assert all(url.startswith(("file:", "data:")) for url in page_of["requests"])


def test_contact_data_cannot_inject_markup(
    known_sqlite: Any, page_of: dict[str, Any], tmp_path: Path, copy_known: Any
) -> None:
    """Sources and campaigns are contact data: the page shows them as text."""
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    copy_known(known_sqlite.url, url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE contacts SET source = '<img src=x onerror=alert(1)>' WHERE email LIKE 'cat@%'"
            )
        report = build_report(engine, Scope("sqlite", known_sqlite.now))
    finally:
        engine.dispose()
    page_file = tmp_path / "report.html"
    page_file.write_text(as_html(report), encoding="utf-8")
    page = page_of["page"]
    page.goto(page_file.as_uri(), wait_until="load")
    assert page.eval_on_selector_all("img", "images => images.length") == 0
    cells = page.eval_on_selector_all("td", "cells => cells.map(c => c.textContent)")
    assert "<img src=x onerror=alert(1)>" in cells
    assert page_of["errors"] == []
