"""One scheduler tick: claim the enrollments that are due and run them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, or_, select, update

from nurture.engine.execute import run_batch
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import run_sweeps
from nurture.store import models

LEASE = timedelta(minutes=5)
#: Enrollments run together (engine/execute.run_batch); also how often a stop is looked at.
CHUNK = 25
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    claimed: int
    sent: int
    """Messages out in this tick (not counting a batch that failed: its log says why)."""
    swept: int = 0


def claim_due(
    rt: Runtime, now: datetime, owner: str, limit: int = 100, lease: timedelta = LEASE
) -> list[int]:
    """Lease up to ``limit`` due enrollments to ``owner``, reading the ``next_run_at`` index.

    PostgreSQL locks the candidate rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
    schedulers each take different rows without waiting on one another. SQLite has no row
    locks: the claim runs in a ``BEGIN IMMEDIATE`` transaction, which holds the database's
    write lock from the first read. Either way the UPDATE re-checks that the lease is free.
    """
    with rt.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        claimed = _claim(connection, now, owner, limit, lease)
        connection.commit()
    return claimed


def _claim(
    connection: Connection, now: datetime, owner: str, limit: int, lease: timedelta
) -> list[int]:
    E = models.Enrollment
    free = or_(E.lease_until.is_(None), E.lease_until <= now)
    due = select(E.id).where(E.next_run_at <= now, free).order_by(E.next_run_at).limit(limit)
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    candidates = list(connection.scalars(due))
    if not candidates:
        return []
    connection.execute(
        update(E)
        .where(E.id.in_(candidates), free)
        .values(lease_owner=owner, lease_until=now + lease)
    )
    return list(
        connection.scalars(
            select(E.id).where(E.id.in_(candidates), E.lease_owner == owner).order_by(E.id)
        )
    )


def leased_count(rt: Runtime, now: datetime) -> int:
    """How many enrollments are under a live lease: claimed work not yet done."""
    E = models.Enrollment
    with rt.engine.connect() as connection:
        live = select(func.count()).select_from(E).where(E.lease_until > now)
        return connection.scalar(live) or 0


def release_claims(rt: Runtime, owner: str, enrollment_ids: list[int] | None = None) -> int:
    """Give back leases ``owner`` still holds (all, or those listed): a graceful shutdown."""
    E = models.Enrollment
    query = update(E).where(E.lease_owner == owner)
    if enrollment_ids is not None:
        query = query.where(E.id.in_(enrollment_ids))
    with rt.engine.begin() as connection:
        return connection.execute(query.values(lease_owner=None, lease_until=None)).rowcount


def tick(
    rt: Runtime,
    now: datetime | None = None,
    *,
    lease: timedelta = LEASE,
    should_stop: Callable[[], bool] = lambda: False,
) -> TickResult:
    """Run everything due at ``now`` (default: the clock's time), batch after batch.

    When ``should_stop`` turns true the chunk in hand is finished and the claims not
    yet run are released, so another process can take them at once.
    """
    now = now or rt.clock.now()
    owner = uuid.uuid4().hex
    claimed = sent = 0
    swept = sum(run_sweeps(rt, now).values())
    while not should_stop() and (batch := claim_due(rt, now, owner, lease=lease)):
        claimed += len(batch)
        for start in range(0, len(batch), CHUNK):
            if should_stop():
                release_claims(rt, owner, batch[start:])
                break
            try:
                sent += run_batch(rt, batch[start : start + CHUNK], now)
            except Exception:
                log.exception("some enrollments failed; their leases expire and they are retried")
    return TickResult(claimed, sent, swept)
