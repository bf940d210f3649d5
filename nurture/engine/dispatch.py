"""Run one claimed enrollment handed over by a broker, safely under redelivery.

The scheduler claims a batch under an owner id and enqueues ``(enrollment, owner)`` pairs.
A broker delivers at least once, so the message may arrive twice, late, or after the
scheduler has given the enrollment to someone else. :func:`take` settles that in one guarded
UPDATE: the run goes ahead only if the enrollment is active and due and its lease is still
the message's owner (or free), and the lease moves to a fresh token, so a second copy of the
same message finds the lease gone and does nothing. The message key of each send step
(engine/execute.py) stops a repeated send in every case the lease cannot.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from nurture.engine.execute import run_enrollment
from nurture.engine.runtime import Runtime
from nurture.store import models

log = logging.getLogger(__name__)


def take(
    rt: Runtime, enrollment_id: int, owner: str, now: datetime, lease: timedelta
) -> str | None:
    """Move the lease from ``owner`` (or from nobody) to a new token; None if not ours to run."""
    E = models.Enrollment
    token = uuid.uuid4().hex
    with rt.engine.begin() as connection:
        taken = connection.execute(
            update(E)
            .where(
                E.id == enrollment_id,
                E.status == "active",
                E.next_run_at <= now,
                or_(E.lease_owner == owner, E.lease_until.is_(None), E.lease_until <= now),
            )
            .values(lease_owner=token, lease_until=now + lease)
        ).rowcount
    return token if taken else None


def give_back(rt: Runtime, enrollment_id: int, token: str, owner: str) -> None:
    """After a failed run: hand the lease back to the message's owner, for its retry."""
    E = models.Enrollment
    with rt.engine.begin() as connection:
        connection.execute(
            update(E).where(E.id == enrollment_id, E.lease_owner == token).values(lease_owner=owner)
        )


def run_claimed(
    rt: Runtime, enrollment_id: int, owner: str, lease: timedelta, now: datetime | None = None
) -> bool:
    """Run the due steps of a claimed enrollment; False when the message was stale."""
    now = now or rt.clock.now()
    token = take(rt, enrollment_id, owner, now, lease)
    if token is None:
        log.debug("enrollment %s: not due or leased to another run; nothing to do", enrollment_id)
        return False
    try:
        run_enrollment(rt, enrollment_id, now)
    except BaseException:
        give_back(rt, enrollment_id, token, owner)
        raise
    return True
