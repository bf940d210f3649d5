"""Claiming contacts with due work: concurrent schedulers never claim the same one twice.

A contact is claimed, not an enrollment: all of its due steps (here two enrollments each)
run under one lease. PostgreSQL takes rows with FOR UPDATE SKIP LOCKED; SQLite serialises
claims with BEGIN IMMEDIATE. Both are raced here by threads that each claim batch after
batch.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from nurture.bootstrap import open_runtime
from nurture.clock import ManualClock
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
    """``count`` contacts, each with two enrollments in the welcome journey, all due now."""
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
                for _ in range(2)
            ],
        )
        return contacts


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


def test_racing_schedulers_claim_each_contact_with_due_work_exactly_once(database_url, tmp_path):
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


def test_a_claim_is_fenced_a_late_owner_writes_nothing(database_url, tmp_path):
    from nurture.store import claims
    from nurture.store.claims import CONTACTS

    rt = _runtime(database_url, tmp_path)
    try:
        [ana] = _due(rt, 1)
        later = NOW + timedelta(minutes=6)
        assert claim_due(rt, NOW, "slow", lease=timedelta(minutes=5)) == [ana]
        assert claim_due(rt, later, "fresh") == [ana]  # the slow one's lease ran out
        with rt.engine.begin() as connection:
            assert claims.renew(connection, CONTACTS, [ana], "slow", later) == set()
            assert claims.renew(connection, CONTACTS, [ana], "fresh", later) == {ana}
            assert claims.release(connection, CONTACTS, "slow") == 0
            assert claims.release(connection, CONTACTS, "fresh") == 1
    finally:
        rt.engine.dispose()


def test_contacts_are_claimed_for_due_decay_and_sla_checks_too(database_url, tmp_path):
    rt = _runtime(database_url, tmp_path)
    try:
        [_ana, bob, cid] = _due(rt, 3)
        with rt.engine.begin() as connection:
            connection.execute(models.Enrollment.__table__.update().values(next_run_at=None))
            connection.execute(
                models.Contact.__table__.update()
                .where(models.Contact.id == bob)
                .values(decay_due_at=NOW)
            )
            connection.execute(
                insert(models.Handoff).values(
                    contact_id=cid,
                    owner="rep@acme.com",
                    status="pending",
                    sla_due_at=NOW,
                    check_at=NOW - timedelta(minutes=1),
                    details={},
                    created_at=NOW,
                )
            )
        assert claim_due(rt, NOW, "a") == [bob, cid]
    finally:
        rt.engine.dispose()
