"""Claiming due enrollments: concurrent schedulers never claim the same one twice.

PostgreSQL takes rows with FOR UPDATE SKIP LOCKED; SQLite serialises claims with
BEGIN IMMEDIATE. Both are raced here by threads that each claim batch after batch.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from nurture.clock import ManualClock
from nurture.engine.boot import open_runtime
from nurture.engine.runtime import Runtime
from nurture.engine.tick import claim_due, leased_count, release_claims
from nurture.settings import load_settings
from nurture.store import models
from nurture.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _runtime(url: str, tmp_path) -> Runtime:
    upgrade(url)
    settings = load_settings(
        database_url=url, outbox_dir=tmp_path / "outbox", workspace=ROOT / "example"
    )
    return open_runtime(settings, clock=ManualClock(NOW))


def _due(rt: Runtime, count: int) -> list[int]:
    """``count`` enrollments in the welcome journey, all due now."""
    with rt.engine.begin() as connection:
        version = connection.scalar(
            select(models.JourneyVersion.id).where(models.JourneyVersion.journey_id == "welcome")
        )
        connection.execute(
            insert(models.Contact),
            [
                dict(
                    email=f"c{n}@example.com",
                    stage="lead",
                    score=0,
                    band="cold",
                    grade="C",
                    attributes={},
                    stage_changed_at=NOW,
                    created_at=NOW,
                    updated_at=NOW,
                )
                for n in range(count)
            ],
        )
        contacts = list(connection.scalars(select(models.Contact.id)))
        connection.execute(
            insert(models.Enrollment),
            [
                dict(
                    contact_id=c,
                    journey_id="welcome",
                    version_id=version,
                    status="active",
                    current_step="welcome",
                    step_entered_at=NOW,
                    next_run_at=NOW,
                    enrolled_at=NOW,
                )
                for c in contacts
            ],
        )
        return list(connection.scalars(select(models.Enrollment.id)))


def _race(rt: Runtime, schedulers: int) -> Counter[int]:
    claims: Counter[int] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def scheduler(n: int) -> None:
        try:
            while batch := claim_due(rt, NOW, f"scheduler-{n}", limit=7):
                with lock:
                    claims.update(batch)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return claims


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'claims.db'}"
    return request.getfixturevalue("empty_postgres_url")


def test_racing_schedulers_claim_each_due_enrollment_exactly_once(database_url, tmp_path):
    rt = _runtime(database_url, tmp_path)
    try:
        due = _due(rt, 120)
        claims = _race(rt, schedulers=4)
        assert sorted(claims) == sorted(due)
        assert max(claims.values()) == 1
        assert leased_count(rt, NOW) == 120
    finally:
        rt.engine.dispose()


def test_a_lease_blocks_claims_until_it_expires_or_is_released(database_url, tmp_path):
    rt = _runtime(database_url, tmp_path)
    try:
        [first, second] = _due(rt, 2)
        assert claim_due(rt, NOW, "a", lease=timedelta(minutes=5)) == [first, second]
        assert claim_due(rt, NOW + timedelta(minutes=4), "b") == []
        assert release_claims(rt, "a", [second]) == 1
        assert claim_due(rt, NOW + timedelta(minutes=4), "b") == [second]
        assert claim_due(rt, NOW + timedelta(minutes=5), "c") == [first]  # expired
    finally:
        rt.engine.dispose()
