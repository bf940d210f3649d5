"""Batch ingest (imports) leaves exactly the rows that ingesting one event at a time leaves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.demo import generate
from nurture.engine.batch_ingest import ingest_events
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_event
from nurture.engine.runtime import Runtime
from nurture.formats import EventIn
from nurture.settings import load_settings
from nurture.store import models
from nurture.store.migrate import upgrade
from nurture.testing import DEFAULT_START, make_harness

ROOT = Path(__file__).resolve().parent.parent.parent
TABLES = (
    models.Contact,
    models.Event,
    models.ScoreEntry,
    models.StageChange,
    models.Handoff,
    models.Suppression,
    models.Enrollment,
)


def scenario() -> tuple[list[Any], list[EventIn]]:
    """Demo engagement plus the awkward cases: replays, unknown addresses, suppressions."""
    data = generate(seed=3, contacts=40, days=21)
    events = list(data.events)
    late = DEFAULT_START + timedelta(days=22)
    events += [
        events[0],  # a replay of a known id, in a later chunk
        EventIn(email="stranger@else.example", type="page_viewed", at=late, properties={}),
        EventIn(email="stranger@else.example", type="page_viewed", at=late, properties={}),
        EventIn(email="stranger@else.example", type="demo_requested", at=late),
        EventIn(email=data.contacts[1].email, type="unsubscribed", at=late),
        EventIn(email=data.contacts[1].email, type="spam_reported", at=late),
        EventIn(
            email=data.contacts[2].email,
            type="email_bounced",
            at=late,
            properties={"bounce_type": "hard"},
        ),
        EventIn(email="no-time@else.example", type="subscribed"),
    ]
    return data.contacts, events


def runtime_on(url: str, tmp_path: Path) -> Runtime:
    clock = ManualClock(DEFAULT_START)
    if url.startswith("sqlite"):
        return make_harness(tmp_path, clock, ROOT / "journeys", ROOT / "templates").runtime
    upgrade(url)
    from nurture.engine.boot import open_runtime

    return open_runtime(
        load_settings(database_url=url, outbox_dir=tmp_path / "outbox"),
        clock=clock,
        workspace=ROOT / "journeys",
        templates=ROOT / "templates",
    )


def dump(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with rt.sessions() as session:
        for model in TABLES:
            table = model.__table__
            rows = session.execute(select(table).order_by(table.c.id)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def fill(rt: Runtime, contacts: list[Any], events: list[EventIn], batch: bool) -> list[Any]:
    for contact in contacts[::2]:
        import_contact(rt, contact)
    assert isinstance(rt.clock, ManualClock)
    rt.clock.set(DEFAULT_START + timedelta(days=30))
    if batch:
        return ingest_events(rt, events, chunk=37)
    return [ingest_event(rt, event) for event in events]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def batch_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'batch.db'}"
    url: str = request.getfixturevalue("empty_postgres_url")
    return url


def test_batch_ingest_writes_the_rows_of_one_by_one_ingest(tmp_path: Path, batch_url: str) -> None:
    contacts, events = scenario()
    single = runtime_on(f"sqlite:///{tmp_path / 'single.db'}", tmp_path / "single")
    (tmp_path / "batch").mkdir()
    batched = runtime_on(batch_url, tmp_path / "batch")
    try:
        one_by_one = fill(single, contacts, events, batch=False)
        in_chunks = fill(batched, contacts, events, batch=True)

        assert in_chunks == one_by_one
        expected, got = dump(single), dump(batched)
        for name in expected:
            assert got[name] == expected[name], name
        assert len(expected["handoffs"]) > 0
        assert len(expected["suppressions"]) == 2
        assert any(row.duplicate for row in in_chunks)
        assert any(status == "exited" for *_, status in _statuses(expected))
    finally:
        single.engine.dispose()
        batched.engine.dispose()


def _statuses(tables: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    status = [c.name for c in models.Enrollment.__table__.columns].index("status")
    return [(row[0], row[status]) for row in tables["enrollments"]]


def test_a_replayed_import_changes_nothing(tmp_path: Path) -> None:
    contacts, events = scenario()
    rt = runtime_on(f"sqlite:///{tmp_path / 'n.db'}", tmp_path)
    try:
        fill(rt, contacts, events, batch=True)
        before = dump(rt)
        again = ingest_events(rt, events, chunk=100)
        assert all(result.duplicate for result in again)
        assert dump(rt) == before
    finally:
        rt.engine.dispose()
