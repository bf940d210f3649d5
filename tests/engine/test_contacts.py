"""Contacts import in chunks writes exactly what one contact per transaction writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from nurture.bench.data import START, contacts, events_for
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contact, import_contacts
from nurture.engine.ingest import ingest_events
from nurture.engine.runtime import Runtime
from nurture.formats import ContactIn
from nurture.store.models import Base


def _updates() -> list[ContactIn]:
    """New contacts, known ones changed (a title that gains and one that loses fit), repeats."""
    people = contacts(60)
    changed = [
        person.model_copy(update={"job_title": "CEO" if n % 2 else "Student", "company_size": 300})
        for n, person in enumerate(people[:30:3])
    ]
    again = [p.model_copy(update={"attributes": {"plan": "pro"}}) for p in people[40:45]]
    return people[20:] + changed + again + changed[:3]


def _tables(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    with rt.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _imported(
    server_url: str | None, folder: Path, import_all: Callable[[Runtime], None]
) -> dict[str, list[tuple[Any, ...]]]:
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            for person in contacts(40):
                import_contact(rt, person)
            list(ingest_events(rt, events_for(120)))  # stages, ledgers, enrollments to change
            import_all(rt)
            return _tables(rt)
        finally:
            rt.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")


def test_chunks_write_the_rows_one_by_one_import_writes(
    server_url: str | None, tmp_path: Path
) -> None:
    def one_by_one(rt: Runtime) -> None:
        for person in _updates():
            import_contact(rt, person)

    def chunked(rt: Runtime) -> None:
        assert len(list(import_contacts(rt, _updates(), chunk=7))) == len(_updates())

    expected = _imported(server_url, tmp_path, one_by_one)
    found = _imported(server_url, tmp_path, chunked)
    for name, rows in expected.items():
        assert found[name] == rows, name
    fit = [row for row in expected["score_ledger"] if row[3] == "fit"]
    assert any(row[4] < 0 for row in fit) and any(row[4] > 0 for row in fit)
    assert len(expected["contacts"]) == 60
