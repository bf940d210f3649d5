"""`nurture report` as a marketer runs it, on a copy of the known dataset (kept beside the
other report tests, whose fixtures build that dataset)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nurture.cli import main
from nurture.cli.app import out
from nurture.reports.build import build_report
from nurture.reports.scope import Scope
from nurture.store.db import make_engine
from nurture.store.migrate import upgrade


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, known_sqlite: Any, copy_known: Any) -> Path:
    path = tmp_path_factory.mktemp("report-cli") / "report.db"
    upgrade(f"sqlite:///{path}", "head")
    copy_known(known_sqlite.url, f"sqlite:///{path}")
    return path


@pytest.fixture
def nurture(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run ``nurture ARGS`` in this process on a database; return (exit code, out, err)."""
    monkeypatch.setattr(out, "_width", 200)

    def run(database: Path, *args: str) -> tuple[int, str, str]:
        monkeypatch.setenv("NURTURE_DATABASE_URL", f"sqlite:///{database}")
        monkeypatch.setattr(sys, "argv", ["nurture", *args])
        code = 0
        try:
            main()
        except SystemExit as exit:
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _row(output: str, title: str, label: str) -> list[str]:
    """The cells of the row starting with ``label`` in the table titled ``title``."""
    section = output[output.index(title) :]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} under {title!r}")


def test_the_text_report_shows_every_section(database: Path, nurture: Any) -> None:
    code, out, err = nurture(database, "report")
    assert code == 0, err
    assert _row(out, "Stage funnel", "MQL")[1:] == ["4", "66.7%", "66.7%"]
    assert _row(out, "Stage funnel", "customer")[1] == "1"
    assert _row(out, "By campaign", "spring-webinar")[1:4] == ["1", "1", "1"]
    assert _row(out, "By lead source", "search")[1:4] == ["2", "2", "2"]
    assert _row(out, "Journeys", "welcome")[1] == "5"
    for title in (
        "Conversion",
        "Median time in each stage",
        "Journey steps",
        "A/B splits",
        "Handoff SLA per owner",
        "recycles and disqualifications",
        "Contacts per score band and grade",
        "Score histogram",
    ):
        assert title in out
    assert "rejected: no budget" in out
    assert "two-proportion z-test" in out


def test_range_and_cohort_options_apply(database: Path, nurture: Any) -> None:
    code, april, err = nurture(database, "report", "--since", "2026-04-01", "--cohort", "month")
    assert code == 0, err
    assert _row(april, "Stage funnel", "2026-04")[1:3] == ["lead", "2"]
    assert "2026-03" not in april.split("Contacts reaching")[0]
    _, march, _ = nurture(database, "report", "--until", "2026-04-01T00:00:00Z")
    assert _row(march, "Stage funnel", "lead")[1] == "4"


def test_the_html_page_is_written(database: Path, tmp_path: Path, nurture: Any) -> None:
    page = tmp_path / "report.html"
    code, printed, err = nurture(database, "report", "--html", str(page))
    assert code == 0, err
    assert f"wrote {page}" in printed
    text = page.read_text(encoding="utf-8")
    assert 'id="funnel-chart"' in text and 'data-stage="customer" data-value="1"' in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cohort", "year"], "--cohort 'year': use month or week"),
        (["--since", "yesterday"], "--since 'yesterday': use an ISO time"),
        (["--since", "2026-04-01", "--until", "2026-03-01"], "--until must come after --since"),
    ],
)
def test_bad_options_are_one_line_errors(
    database: Path, nurture: Any, args: list[str], message: str
) -> None:
    code, _, err = nurture(database, "report", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_unmigrated_database_is_a_clear_error(tmp_path: Path, nurture: Any) -> None:
    code, _, err = nurture(tmp_path / "new.db", "report")
    assert code == 2
    assert "run `nurture db upgrade`" in err


def test_json_gives_every_figure_of_the_report(database: Path, nurture: Any) -> None:
    until = "2026-06-01T00:00:00Z"
    code, printed, err = nurture(database, "report", "--json", "--until", until)
    assert code == 0, err
    data = json.loads(printed)
    engine = make_engine(f"sqlite:///{database}")
    try:
        end = datetime(2026, 6, 1, tzinfo=UTC)
        report = build_report(engine, Scope("sqlite", end, until=end))
    finally:
        engine.dispose()
    assert data["format"] == "nurture.report/1"
    assert data["scope"] == {"since": None, "until": until, "as_of": until, "cohort": None}
    [funnel] = data["funnel"]
    assert funnel["reached"] == report.funnel[0].reached
    assert funnel["from_lead"]["mql"] == report.funnel[0].rate("lead", "mql")
    assert funnel["conversion"]["mql_to_sql"] == report.funnel[0].rate("mql", "sql")
    assert [s["median_seconds"] for s in data["stage_times"]] == [
        t.median_seconds for t in report.stage_times
    ]
    assert {(j["journey"], j["enrolled"], j["goal_reached"]) for j in data["journeys"]} == {
        (j.journey, j.enrolled, j.goal) for j in report.journeys
    }
    assert [(s["journey"], s["step"], s["sent"], s["clicked"]) for s in data["steps"]] == [
        (s.journey, s.step, s.counts["sent"], s.counts["clicked"]) for s in report.steps
    ]
    assert [[v["assigned"] for v in s["variants"]] for s in data["splits"]] == [
        [v.assigned for v in s.test.variants] for s in report.splits
    ]
    assert [s["p_value"] for s in data["splits"]] == [s.test.p_value for s in report.splits]
    assert {c["campaign"]: c["reached"]["mql"] for c in data["campaigns"]} == {
        c.group: c.reached["mql"] for c in report.campaigns
    }
    assert {s["source"] for s in data["sources"]} == {s.group for s in report.sources}
    assert [(m["journey"], m["from"], m["to"], m["count"]) for m in data["moves"]] == [
        (m.journey, m.source, m.target, m.contacts) for m in report.moves
    ]
    assert sum(v["entered"] for v in data["visits"]) == sum(v.entered for v in report.visits) > 0
    assert (
        sum(b["contacts"] for b in data["scores"]["histogram"])
        == report.funnel[0].reached["subscriber"]
    )
    assert {"what": "handoff rejected", "reason": "no budget"}.items() <= {
        k: v for r in data["reasons"] for k, v in r.items() if r["reason"] == "no budget"
    }.items()
    _, text, _ = nurture(database, "report", "--until", until)
    assert _row(text, "Stage funnel", "MQL")[1] == str(funnel["reached"]["mql"])
