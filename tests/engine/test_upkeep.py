"""Decay, SLA checks and the notifications sweep write the rows the ORM code wrote.

A story of eight contacts over four months on the example workspace, with a CRM webhook,
owner emails, and two journeys of our own that follow the score band (one leaves on a cold
band, one enters on it): clicks decay day by day, inactivity takes points and drops bands
(journeys exit and enroll), SLAs are breached (reassigned round the team, and to the manager
where the route has nobody else), and notifications are delivered, refused (failed) and
retried after errors. Every table is compared row by row, ids included, with
``upkeep_rows.json``: the rows the engine wrote when decay, SLA checks and notifications still
went object by object through an ORM Session (recorded before they were set-based). Rerecord
only for a change of behaviour::

    .venv/bin/python tests/engine/test_upkeep.py
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from nurture.bootstrap import open_runtime
from nurture.clock import ManualClock
from nurture.delivery.crm import CrmWebhook
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.memory import MemoryProvider
from nurture.errors import ProviderError, ProviderRejected
from nurture.settings import load_settings
from nurture.store.claims import Retry
from nurture.store.db import make_engine
from nurture.store.models import Base
from nurture.testing import Harness

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).with_name("upkeep_rows.json")
START = datetime(2026, 3, 2, 8, tzinfo=UTC)
RANDOM = {"messages": {"uid"}}
"""Columns a run draws at random (a message's uid is a fresh UUID)."""

HANDOFF = """\
handoff:
  team: [maja@acme.example, luka@acme.example, eva@acme.example]
  routes:
    - {field: country, in: [AT], reps: [luka@acme.example]}
  sla: 4h
  escalation: {action: reassign, manager: boss@acme.example}
  notify: {email_owner: true, webhook: "https://crm.example/hooks/mql"}
"""
JOURNEYS = {
    "warm-watch.yaml": """\
id: warm-watch
name: Warm watch
priority: 5
entry: {stages: [lead], bands: [warm, hot]}
reentry: always
goals:
  - when: {band: [cold]}
steps:
  - {id: rest, type: wait, duration: 200d}
""",
    "win-back.yaml": """\
id: win-back
name: Win back
priority: 4
entry:
  stages: [lead]
  bands: [cold]
  when: {event: {type: page_viewed, at_least: 1}}
reentry: always
steps:
  - {id: nudge, type: send, template: webinar-thanks}
""",
}


class Provider(MemoryProvider):
    """Refuses the manager's email; fails eva's first two with an error that passes."""

    def __init__(self) -> None:
        super().__init__(keep=False)
        self.eva = 0

    def send(self, email: OutgoingEmail) -> str:
        if email.to == "boss@acme.example":
            raise ProviderRejected("mailbox refuses mail from marketing")
        if email.to == "eva@acme.example" and self.eva < 2:
            self.eva += 1
            raise ProviderError("connection reset")
        return super().send(email)


def _crm() -> CrmWebhook:
    """Every third request 503, the eleventh 422 (refused for good), else 200."""
    count = [0]

    def answer(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        if count[0] == 11:
            return httpx.Response(422, text="unknown owner")
        return httpx.Response(503 if count[0] % 3 == 0 else 200)

    return CrmWebhook("secret", transport=httpx.MockTransport(answer))


def _workspace(folder: Path) -> Path:
    folder.mkdir()
    for path in (ROOT / "example").glob("*.yaml"):
        text = path.read_text()
        if path.name == "workspace.yaml":
            text = text[: text.index("handoff:")] + HANDOFF + text[text.index("# When email") :]
        (folder / path.name).write_text(text)
    for name, text in JOURNEYS.items():
        (folder / name).write_text(text)
    return folder


def _story(nurture: Harness) -> None:
    for email, country, title in (
        ("a@x.at", "AT", "CMO"),
        ("b@x.si", "SI", "CMO"),
        ("c@x.si", "SI", "CTO"),
        ("d@x.si", "SI", "Head of Marketing"),
        ("e@x.si", "SI", "Analyst"),
        ("f@x.si", "SI", "CEO"),
        ("g@x.de", "DE", "Director"),
        ("h@x.si", "SI", "Analyst"),
    ):
        nurture.contact(email, country=country, job_title=title, company_size=250)
        nurture.emit(email, "subscribed", form="newsletter")
    for email in ("d@x.si", "e@x.si", "g@x.de", "h@x.si"):
        nurture.emit(email, "page_viewed", url="/pricing")
        for _ in range(3):
            nurture.emit(email, "email_clicked")
    nurture.advance(hours=3)
    for email in ("a@x.at", "b@x.si", "c@x.si"):
        nurture.emit(email, "demo_requested")
    nurture.advance(days=2)
    nurture.emit("f@x.si", "demo_requested")
    nurture.emit("e@x.si", "page_viewed", url="/pricing")
    nurture.advance(days=20)
    nurture.emit("h@x.si", "email_clicked")
    nurture.emit("g@x.de", "page_viewed", url="/pricing/teams")
    nurture.advance(days=50)
    nurture.emit("d@x.si", "page_viewed", url="/pricing")
    nurture.advance(days=50)


def _tables(nurture: Harness) -> dict[str, list[list[Any]]]:
    tables = {}
    with nurture.runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            kept = [c for c in table.c if c.name not in RANDOM.get(table.name, set())]
            rows = connection.execute(select(*kept).order_by(*table.primary_key.columns))
            tables[table.name] = [_plain(tuple(row)) for row in rows]
    return tables


def _plain(row: tuple[Any, ...]) -> list[Any]:
    """The row as JSON holds it: times in ISO form, JSON values with their keys sorted."""
    return json.loads(json.dumps(row, default=datetime.isoformat, sort_keys=True))


def _run(folder: Path, url: str) -> dict[str, list[list[Any]]]:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    settings = load_settings(database_url=url, outbox_dir=folder / "outbox")
    runtime = open_runtime(
        settings,
        clock=ManualClock(START),
        provider=Provider(),
        workspace=_workspace(folder / "workspace"),
        templates=ROOT / "example" / "templates",
    )
    runtime.crm = _crm()
    runtime.retry = Retry(max_attempts=3, jitter=0.0)
    nurture = Harness(runtime, folder / "outbox")
    try:
        _story(nurture)
        return _tables(nurture)
    finally:
        runtime.engine.dispose()


def _compare(tables: dict[str, list[list[Any]]]) -> None:
    expected = json.loads(EXPECTED.read_text())
    assert set(tables) == set(expected)
    for name, rows in expected.items():
        assert tables[name] == rows, name


def _covers(tables: dict[str, list[list[Any]]]) -> None:
    """The story does what it is told to: decay, band changes, every kind of escalation and
    notification outcome."""

    def rows(name: str) -> list[dict[str, Any]]:
        columns = [c.name for c in Base.metadata.tables[name].c]
        columns = [c for c in columns if c not in RANDOM.get(name, set())]
        return [dict(zip(columns, row, strict=True)) for row in tables[name]]

    assert {"decay", "inactivity"} <= {row["kind"] for row in rows("score_ledger")}
    enrollments = rows("enrollments")
    assert any(
        row["journey_id"] == "warm-watch" and "goal reached" in (row["exit_reason"] or "")
        for row in enrollments
    )
    assert any(row["journey_id"] == "win-back" for row in enrollments)
    escalated = [row["detail"] for row in rows("handoff_events") if row["kind"] == "escalated"]
    assert any("reassigned to" in detail for detail in escalated)
    assert any("manager boss@acme.example notified" in detail for detail in escalated)
    notifications = rows("notifications")
    outcomes = {(row["channel"], row["status"]) for row in notifications}
    assert {("webhook", "delivered"), ("webhook", "failed"), ("email", "failed")} <= outcomes
    assert any(row["attempts"] > 1 and row["status"] == "delivered" for row in notifications)


def test_the_sweeps_write_the_rows_the_orm_code_wrote(tmp_path: Path) -> None:
    tables = _run(tmp_path, f"sqlite:///{tmp_path / 'nurture.db'}")
    _covers(tables)
    _compare(tables)


@pytest.mark.postgres
def test_the_sweeps_write_the_same_rows_on_postgresql(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    _compare(_run(tmp_path, empty_postgres_url))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        recorded = _run(Path(scratch), f"sqlite:///{Path(scratch) / 'nurture.db'}")
    EXPECTED.write_text(json.dumps(recorded, indent=0, sort_keys=True) + "\n")
