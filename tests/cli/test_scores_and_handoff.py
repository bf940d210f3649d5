"""`contacts explain`, `scores recompute`, `handoff accept|reject|qualify|list`, in process."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture.cli import app
from nurture.errors import FeedbackError
from nurture.store.migrate import upgrade

ROOT = Path(__file__).parents[2]
ANA = "ana@acme.com"
EVENTS = [
    {"id": "e1", "type": "subscribed", "at": "2026-03-02T09:00:00Z", "properties": {}},
    {
        "id": "e2",
        "type": "content_downloaded",
        "at": "2026-03-03T10:30:00Z",
        "properties": {"content_type": "ebook", "title": "Three dashboards"},
    },
    {
        "id": "e3",
        "type": "page_viewed",
        "at": "2026-03-04T14:05:00Z",
        "properties": {"url": "/pricing"},
    },
]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'nurture.db'}"
    upgrade(url)
    for name, value in {
        "NURTURE_DATABASE_URL": url,
        "NURTURE_OUTBOX_DIR": str(tmp_path / "outbox"),
        "NURTURE_WORKSPACE": str(ROOT / "example"),
        "NURTURE_CLOCK_START": "2026-03-02T08:00:00Z",
        "NURTURE_CLOCK_SPEED": "1",
        "NURTURE_TIME_AHEAD": "3d",  # the events of the week are imported on its Monday
        "COLUMNS": "200",
    }.items():
        monkeypatch.setenv(name, value)
    contacts = tmp_path / "contacts.jsonl"
    contacts.write_text(
        json.dumps({"email": ANA, "first_name": "Ana", "job_title": "CMO", "company_size": 250})
    )
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps({"email": ANA, **e}) for e in EVENTS))
    runner = CliRunner()

    def later() -> None:
        """Sales answers on Thursday, after the events."""
        monkeypatch.setenv("NURTURE_CLOCK_START", "2026-03-05T09:00:00Z")
        monkeypatch.setenv("NURTURE_CLOCK_EPOCH", str(time.time()))  # one clock for all commands

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=True)

    assert invoke("contacts", "import", str(contacts)).exit_code == 0
    assert invoke("events", "import", str(events)).exit_code == 0
    invoke.later = later  # type: ignore[attr-defined]
    return invoke


def test_explain_prints_the_score_rule_by_rule_with_dates(run) -> None:
    result = run("contacts", "explain", ANA)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert lines[0] == (
        "ana@acme.com  score 40  band hot  grade A  stage mql  owner maja.novak@acme.example"
        "  -> sales now"
    )
    assert lines[1] == "  behaviour 15 + fit 25 = 40  (MQL at 40 with grade A, B)"
    ledger = lines[lines.index("ledger") + 1 : lines.index("by rule")]
    assert [line.split()[2:5] for line in ledger[:-1]] == [
        ["+15", "fit", "c-level"],
        ["+10", "fit", "mid-market"],
        ["+5", "behaviour", "ebook-download"],
        ["+10", "behaviour", "pricing-visit"],
    ]
    assert ledger[2].startswith("  2026-03-03 10:30")
    assert ledger[2].endswith("content_downloaded Three dashboards")
    assert ledger[-1].split() == ["40", "total"]
    assert any(
        line.endswith("lead -> mql          score 40 >= 40 and grade A") for line in lines
    ), lines
    assert any("assigned   assigned to maja.novak@acme.example" in line for line in lines)


def test_sales_feedback_from_the_command_line(run) -> None:
    run.later()
    assert run("handoff", "accept", ANA).output.strip() == "ana@acme.com: sal"
    result = run(
        "handoff",
        "qualify",
        ANA,
        "--budget",
        "20k EUR",
        "--authority",
        "CMO",
        "--need",
        "board dashboards",
        "--timeline",
        "Q2",
        "--by",
        "sdr@acme.example",
    )
    assert result.output.strip() == "ana@acme.com: sql"
    explained = json.loads(run("contacts", "explain", ANA, "--json").output)
    assert explained["stage"] == "sql"
    assert explained["handoffs"][0]["bant"] == {
        "budget": "20k EUR",
        "authority": "CMO",
        "need": "board dashboards",
        "timeline": "Q2",
    }
    assert [s["to"] for s in explained["stages"]][-2:] == ["sal", "sql"]

    refused = run("handoff", "reject", ANA, "--reason", "too late")
    assert isinstance(refused.exception, FeedbackError)
    assert "ana@acme.com is sql and its handoff is qualified" in str(refused.exception)

    # Wednesday 15:05 in Ljubljana + 8 business hours = Thursday 15:05 (14:05 UTC).
    listing = run("handoff", "list").output.splitlines()
    assert listing[0] == (
        "ana@acme.com  maja.novak@acme.example  qualified  due 2026-03-05T14:05:00+00:00"
    )
    # No tick has run yet: the owner's email waits, visibly.
    assert listing[1].startswith(
        "  notification 1 email to maja.novak@acme.example: pending after 0 attempts"
    )


def test_recompute_and_explicit_stage_moves(run) -> None:
    assert run("scores", "recompute").output.strip() == "1 contacts rescored, 0 scores changed"
    run.later()
    assert run("contacts", "recycle", ANA, "--reason", "went quiet").output.strip() == (
        "ana@acme.com: recycled"
    )
    explained = json.loads(run("contacts", "explain", ANA, "--json").output)
    assert (explained["score"], explained["stages"][-1]["cause"]) == (25, "went quiet")
    assert run("contacts", "disqualify", ANA, "--reason", "competitor").exit_code == 0
    assert json.loads(run("contacts", "explain", ANA, "--json").output)["stage"] == "disqualified"
