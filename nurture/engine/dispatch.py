"""Run claimed enrollments handed over by a broker, safely under redelivery.

The scheduler claims a batch under an owner id and enqueues ``(enrollments, owner)`` pairs.
A broker delivers at least once, so the message may arrive twice, late, or after the
scheduler has given the enrollment to someone else. :func:`take` settles that in one guarded
UPDATE: an enrollment runs only if it is active and due and its lease is still the
message's owner (or free), and the lease moves to a fresh token, so a second copy of the
same message finds the lease gone and does nothing. The message key of each send step
(engine/execute.py) stops a repeated send in every case the lease cannot.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from nurture.engine.execute import run_batch
from nurture.engine.runtime import Runtime
from nurture.store import models

log = logging.getLogger(__name__)


def take(
    rt: Runtime, enrollment_ids: list[int], owner: str, now: datetime, lease: timedelta
) -> tuple[str, list[int]]:
    """Move the leases from ``owner`` (or from nobody) to a new token: the ones ours to run."""
    E = models.Enrollment
    token = uuid.uuid4().hex
    with rt.engine.begin() as connection:
        connection.execute(
            update(E)
            .where(
                E.id.in_(enrollment_ids),
                E.status == "active",
                E.next_run_at <= now,
                or_(E.lease_owner == owner, E.lease_until.is_(None), E.lease_until <= now),
            )
            .values(lease_owner=token, lease_until=now + lease)
        )
        taken = connection.scalars(
            select(E.id).where(E.id.in_(enrollment_ids), E.lease_owner == token)
        )
        return token, sorted(taken, key=enrollment_ids.index)


def give_back(rt: Runtime, enrollment_ids: list[int], token: str, owner: str) -> None:
    """After a failed run: hand the leases still held back to the message's owner, for its
    retry (the enrollments that did run have released theirs)."""
    E = models.Enrollment
    with rt.engine.begin() as connection:
        connection.execute(
            update(E)
            .where(E.id.in_(enrollment_ids), E.lease_owner == token)
            .values(lease_owner=owner)
        )


def run_claimed(
    rt: Runtime,
    enrollment_ids: list[int],
    owner: str,
    lease: timedelta,
    now: datetime | None = None,
) -> list[int]:
    """Run the due steps of claimed enrollments together; those that were ours to run."""
    now = now or rt.clock.now()
    token, taken = take(rt, enrollment_ids, owner, now, lease)
    if len(taken) < len(enrollment_ids):
        log.debug(
            "%d enrollments not due or leased to another run", len(enrollment_ids) - len(taken)
        )
    if not taken:
        return taken
    try:
        run_batch(rt, taken, now)
    except BaseException:
        give_back(rt, taken, token, owner)
        raise
    return taken
