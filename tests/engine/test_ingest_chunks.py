"""Chunked ingest writes exactly what one event per transaction writes, row for row.

The same generated events go both ways into two scratch databases (bench workspace: scoring
with caps and fit, lifecycle to MQL, handoff round-robin, a journey with a goal), and every
table is compared whole, ids included, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

import nurture.engine.intake.state as state
from nurture.bench.data import START, contacts, events_for
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import Ingested, ingest_event, ingest_events
from nurture.engine.runtime import Runtime
from nurture.formats import EventIn
from nurture.store.db import make_engine
from nurture.store.models import Base, Contact


def _events() -> list[EventIn]:
    """Generated engagement, with every kind of event the rules treat apart mixed in."""
    found = events_for(240)
    late = START + timedelta(days=30)
    extra = [
        EventIn(id="bench-0-0", email=found[0].email, type="subscribed", at=START),  # stored id
        EventIn(id="x-1", email="new@example.org", type="demo_requested", at=late),
        EventIn(id="x-1", email="new@example.org", type="demo_requested", at=late),  # same chunk
        EventIn(email="anon@example.org", type="page_viewed", properties={"url": "/pricing"}),
        EventIn(email="anon@example.org", type="page_viewed", properties={"url": "/pricing"}),
        EventIn(id="x-2", email=found[3].email, type="unsubscribed", at=late),
        EventIn(id="x-3", email=found[3].email, type="resubscribed", at=late),
        EventIn(
            id="x-4",
            email=found[5].email,
            type="email_bounced",
            at=late,
            properties={"bounce_type": "hard"},
        ),
        EventIn(
            id="x-5",
            email=found[6].email,
            type="email_opened",
            at=late,
            properties={"machine_open": True},
        ),
        EventIn(id="x-6", email=found[7].email, type="spam_reported", at=late),
        EventIn(id="x-7", email=found[9].email, type="unsubscribed", at=late),
        EventIn(id="x-8", email=found[9].email, type="spam_reported", at=late),  # replaces it
        EventIn(id="x-9", email=found[9].email, type="resubscribed", at=late),  # lifts nothing
    ]
    return found[:120] + extra[:3] + found[120:] + extra[3:] + found[100:110]  # repeats too


def _tables(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    with rt.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _ingested(
    server_url: str | None, folder: Path, ingest_all: Callable[[Runtime], list[Ingested]]
) -> tuple[list[Ingested], dict[str, list[tuple[Any, ...]]]]:
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            for person in contacts(80)[::2]:
                import_contact(rt, person)
            results = ingest_all(rt)
            return results, _tables(rt)
        finally:
            rt.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")


def _one_by_one(rt: Runtime) -> list[Ingested]:
    return [ingest_event(rt, event) for event in _events()]


def test_chunks_write_the_rows_one_by_one_ingest_writes(
    server_url: str | None, tmp_path: Path
) -> None:
    single, expected = _ingested(server_url, tmp_path, _one_by_one)
    chunked, found = _ingested(
        server_url, tmp_path, lambda rt: list(ingest_events(rt, _events(), chunk=37))
    )
    assert chunked == single
    assert sum(r.duplicate for r in single) == 13  # a stored id, one id twice, a hash, 10 repeats
    assert {name: len(rows) for name, rows in found.items()} == {
        name: len(rows) for name, rows in expected.items()
    }
    for name, rows in expected.items():
        assert found[name] == rows, name
    assert expected["handoffs"] and expected["enrollments"] and expected["suppressions"]
    assert sorted(row[2] for row in expected["suppressions"]) == [
        "complaint",
        "complaint",
        "hard_bounce",
    ]  # x-2 lifted by x-3; x-7's unsubscribe replaced by x-8's complaint, which x-9 keeps


def test_a_chunk_that_races_a_concurrent_writer_is_done_again_one_by_one(
    server_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunk's read of known ids misses those a concurrent writer stores before it commits:
    the unique key refuses the chunk, which is rolled back and done one event at a time.

    PostgreSQL does not give back the sequence values a rolled-back chunk took, so there the
    ids differ and the rows are compared by their number and the events by their source ids.
    """
    real = state.stored_source_ids

    def racing(session: Any, source_ids: set[str]) -> set[str]:
        return set() if len(source_ids) > 1 else real(session, source_ids)

    def chunked(rt: Runtime) -> list[Ingested]:
        first = [ingest_event(rt, event) for event in _events()[:50]]
        with monkeypatch.context() as patch:
            patch.setattr(state, "stored_source_ids", racing)
            return first + list(ingest_events(rt, _events()[50:], chunk=37))

    single, expected = _ingested(server_url, tmp_path, _one_by_one)
    results, found = _ingested(server_url, tmp_path, chunked)
    assert [(r.duplicate, r.points, r.stages) for r in results] == [
        (r.duplicate, r.points, r.stages) for r in single
    ]
    if server_url is None:
        assert results == single
        assert found == expected
    assert {name: len(rows) for name, rows in found.items()} == {
        name: len(rows) for name, rows in expected.items()
    }
    assert [row[1] for row in found["events"]] == [row[1] for row in expected["events"]]


@pytest.mark.parametrize("writer", ["same engine", "another engine"])
def test_a_chunk_sees_what_another_writer_changed_after_the_last_one(
    server_url: str | None, tmp_path: Path, writer: str
) -> None:
    """A chunk carries its working set on to the next only while nobody else writes: a change
    made between two chunks (through the engine's own pool, which may hand the same
    connection back, or another engine's) is read by the next chunk as one by one would."""
    events = _events()

    def bump(rt: Runtime) -> None:
        engine = rt.engine if writer == "same engine" else make_engine(rt.engine.url)
        with engine.begin() as connection:
            connection.execute(update(Contact).values(score=Contact.score + 1000))
        if engine is not rt.engine:
            engine.dispose()

    def one_by_one(rt: Runtime) -> list[Ingested]:
        first = [ingest_event(rt, event) for event in events[:37]]
        bump(rt)
        return first + [ingest_event(rt, event) for event in events[37:]]

    def chunked(rt: Runtime) -> list[Ingested]:
        def stream() -> Iterator[EventIn]:
            yield from events[:37]
            bump(rt)  # the first chunk is written: the second is asked for
            yield from events[37:]

        return list(ingest_events(rt, stream(), chunk=37))

    single, expected = _ingested(server_url, tmp_path, one_by_one)
    results, found = _ingested(server_url, tmp_path, chunked)
    assert results == single
    assert found == expected


def test_events_are_consumed_a_chunk_at_a_time(tmp_path: Path) -> None:
    pulled: list[int] = []

    def stream() -> Iterator[EventIn]:
        for n, event in enumerate(_events()):
            pulled.append(n)
            yield event

    def first_result(rt: Runtime) -> list[Ingested]:
        return [next(ingest_events(rt, stream(), chunk=10))]

    _ingested(None, tmp_path, first_result)
    assert len(pulled) == 10
