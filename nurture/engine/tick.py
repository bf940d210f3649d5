"""One scheduler tick: claim the enrollments that are due and run them."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from nurture.engine.execute import run_enrollment
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import run_sweeps
from nurture.store import models

LEASE = timedelta(minutes=5)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    claimed: int
    sent: int
    swept: int = 0


def claim_due(rt: Runtime, now: datetime, owner: str, limit: int = 100) -> list[int]:
    """Lease up to ``limit`` due enrollments to ``owner``.

    The UPDATE re-checks the lease, so two schedulers racing for a row never both win.
    """
    E = models.Enrollment
    free = or_(E.lease_until.is_(None), E.lease_until <= now)
    with rt.sessions.begin() as session:
        candidates = session.scalars(
            select(E.id).where(E.next_run_at <= now, free).order_by(E.next_run_at).limit(limit)
        ).all()
        if not candidates:
            return []
        session.execute(
            update(E)
            .where(E.id.in_(candidates), free)
            .values(lease_owner=owner, lease_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return list(
            session.scalars(select(E.id).where(E.id.in_(candidates), E.lease_owner == owner)).all()
        )


def tick(rt: Runtime, now: datetime | None = None) -> TickResult:
    """Run everything due at ``now`` (default: the clock's time), batch after batch."""
    now = now or rt.clock.now()
    owner = uuid.uuid4().hex
    claimed = 0
    with rt.sessions() as session:
        before = _sent_count(session)
    swept = run_sweeps(rt, now)
    while batch := claim_due(rt, now, owner):
        claimed += len(batch)
        for enrollment_id in batch:
            try:
                run_enrollment(rt, enrollment_id, now)
            except Exception:
                log.exception(
                    "enrollment %s failed; its lease expires and it is retried", enrollment_id
                )
    with rt.sessions() as session:
        sent = _sent_count(session) - before
    return TickResult(claimed, sent, swept)


def _sent_count(session: Session) -> int:
    sent = select(func.count()).select_from(models.Message).where(models.Message.status == "sent")
    return session.scalar(sent) or 0
