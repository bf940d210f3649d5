"""A backfill replayed from the command line, on one clock: every duration in the report is
the one the history says, never negative.

The contacts are imported today (the real clock, as a marketer would) and their history
afterwards, from last March; sales' answers are given with ``--now`` at the times they
happened. Ana and Bo are first seen in two different weeks, so each weekly cohort's median is
one contact's exact duration.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.reports.build import build_report
from nurture.reports.scope import Scope
from nurture.store import models
from nurture.store.db import make_engine
from nurture.store.migrate import upgrade

ROOT = Path(__file__).parents[2]
ANA, BO = "ana@acme.com", "bo@beta.example"
HOUR = 3600.0
CONTACTS = [
    {"email": ANA, "first_name": "Ana", "job_title": "CMO", "company_size": 250},
    {"email": BO, "first_name": "Bo", "job_title": "VP Sales", "company_size": 120},
]
EVENTS = [
    # Ana: Monday 2 March, e-book Tuesday, pricing Wednesday 11:00 -> MQL (15+10 fit, 5+10).
    {"id": "a1", "email": ANA, "type": "subscribed", "at": "2026-03-02T09:00:00Z"},
    {
        "id": "a2",
        "email": ANA,
        "type": "content_downloaded",
        "at": "2026-03-03T10:00:00Z",
        "properties": {"content_type": "ebook"},
    },
    {
        "id": "a3",
        "email": ANA,
        "type": "page_viewed",
        "at": "2026-03-04T11:00:00Z",
        "properties": {"url": "/pricing"},
    },
    # Bo: Monday 9 March, a demo request Tuesday 10:00 -> MQL (10+10 fit, 20).
    {"id": "b1", "email": BO, "type": "subscribed", "at": "2026-03-09T09:00:00Z"},
    {"id": "b2", "email": BO, "type": "demo_requested", "at": "2026-03-10T10:00:00Z"},
]


@pytest.fixture
def backfilled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'nurture.db'}"
    upgrade(url)
    for name in ("NURTURE_CLOCK_START", "NURTURE_CLOCK_SPEED", "NURTURE_CLOCK_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NURTURE_DATABASE_URL", url)
    monkeypatch.setenv("NURTURE_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("NURTURE_WORKSPACE", str(ROOT / "example"))
    contacts, events = tmp_path / "contacts.jsonl", tmp_path / "events.jsonl"
    contacts.write_text("\n".join(json.dumps(c) for c in CONTACTS))
    events.write_text("\n".join(json.dumps(e) for e in EVENTS))

    def nurture(*args: str) -> str:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    nurture("contacts", "import", str(contacts))  # today, by the real clock
    nurture("events", "import", str(events))
    # Ana's SLA: Wednesday 12:00 in Ljubljana + 8 business hours; accepted 4 hours after.
    nurture("handoff", "accept", ANA, "--now", "2026-03-04T15:00:00Z")
    # Bo's answer comes ten days later: late, and he is recycled.
    nurture("handoff", "reject", BO, "--reason", "no budget", "--now", "2026-03-20T10:00:00Z")
    return url


def test_first_seen_is_the_oldest_of_import_and_events(backfilled: str) -> None:
    engine = make_engine(backfilled)
    with engine.connect() as connection:
        created = connection.execute(
            select(models.Contact.email, models.Contact.created_at).order_by(models.Contact.id)
        ).all()
        recorded = connection.execute(
            select(models.Contact.email, models.StageChange.at)
            .join(models.StageChange)
            .where(models.StageChange.cause == "created")
            .order_by(models.Contact.id)
        ).all()
    engine.dispose()
    assert [(email, at.replace(tzinfo=UTC)) for email, at in created] == [
        (ANA, datetime(2026, 3, 2, 9, tzinfo=UTC)),
        (BO, datetime(2026, 3, 9, 9, tzinfo=UTC)),
    ]
    assert recorded == created


def test_every_duration_in_the_report_is_the_history_s(backfilled: str) -> None:
    engine = make_engine(backfilled)
    as_of = datetime(2026, 4, 1, tzinfo=UTC)
    report = build_report(engine, Scope(engine.dialect.name, as_of, cohort="week"))
    engine.dispose()
    durations = {
        (t.cohort, t.stage): (round(t.median_seconds), t.stays) for t in report.stage_times
    }
    ana, bo = "2026-03-02", "2026-03-09"  # the weeks they were first seen
    assert durations == {
        (ana, "subscriber"): (0, 1),  # a lead on her first event
        (ana, "lead"): (round(50 * HOUR), 1),  # Monday 09:00 -> Wednesday 11:00
        (ana, "mql"): (round(4 * HOUR), 1),  # accepted at 15:00
        (ana, "time to mql"): (round(50 * HOUR), 1),
        (bo, "subscriber"): (0, 1),
        (bo, "lead"): (round(25 * HOUR), 1),  # Monday 09:00 -> Tuesday 10:00
        (bo, "mql"): (round(240 * HOUR), 1),  # rejected ten days later
        (bo, "time to mql"): (round(25 * HOUR), 1),
    }
    assert all(seconds >= 0 for seconds, _ in durations.values())
    sla = {(row.cohort, row.owner): row for row in report.sla}
    keys = ("handed_off", "in_time", "late", "breaches", "open")
    assert [tuple(r.counts[k] for k in keys) for r in sla.values()] == [
        (1, 1, 0, 0, 0),
        (1, 0, 1, 0, 0),
    ]


def test_the_report_command_reads_the_same_clock(backfilled: str) -> None:
    printed = CliRunner().invoke(app, ["report", "--now", "2026-04-01T00:00:00Z"])
    assert printed.exit_code == 0, printed.output
    assert "Median time in each stage" in printed.output
    section = printed.output[printed.output.index("Median time in each stage") :]
    rows = {}
    for line in section.splitlines()[4:8]:
        stage, median, over = (cell.strip() for cell in line.strip("│ ").split("│"))
        rows[stage] = (median, over)
    # Medians over Ana and Bo: (50 h + 25 h) / 2 as leads and to MQL, (4 h + 240 h) / 2 as MQLs.
    assert rows == {
        "subscriber": ("0h 00m", "2"),
        "lead": ("1d 13h", "2"),
        "MQL": ("5d 2h", "2"),
        "time to mql": ("1d 13h", "2"),
    }


def test_recompute_on_the_same_clock_changes_no_score(backfilled: str) -> None:
    printed = CliRunner().invoke(app, ["scores", "recompute", "--now", "2026-04-01T00:00:00Z"])
    assert printed.exit_code == 0, printed.output
    assert printed.output.strip() == "2 contacts rescored, 0 scores changed"
