"""Move a manual clock forward through the due times, running each tick on time.

The clock jumps from one due time to the next and never walks through empty time; this is
how the demo, the simulator and workspace tests travel through weeks in milliseconds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from nurture.clock import ManualClock
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import next_sweep
from nurture.engine.tick import tick
from nurture.store import models


def next_due(rt: Runtime, until: datetime) -> datetime | None:
    """The earliest moment at or before ``until`` when some enrollment can run.

    A leased enrollment can run again only once its lease has expired. Two reads on the
    ``next_run_at`` index, not a scan: the earliest free row, then the leases of the rows
    due before it (only those could be ready sooner).
    """
    E = models.Enrollment
    with rt.sessions() as session:
        free = session.scalar(
            select(E.next_run_at)
            .where(
                E.next_run_at.is_not(None),
                or_(E.lease_until.is_(None), E.lease_until <= E.next_run_at),
            )
            .order_by(E.next_run_at)
            .limit(1)
        )
        leased = select(func.min(E.lease_until)).where(
            E.next_run_at.is_not(None), E.lease_until > E.next_run_at
        )
        if free is not None:
            leased = leased.where(E.next_run_at < free)
        expiring = session.scalar(leased)
    found = min((t for t in (free, expiring) if t is not None), default=None)
    return found if found is not None and found <= until else None


def advance_to(rt: Runtime, clock: ManualClock, until: datetime) -> None:
    """Run every step and sweep due up to ``until`` at its own time; leave the clock at ``until``."""
    while (due := _earliest(next_due(rt, until), next_sweep(rt), until)) is not None:
        clock.set(max(due, clock.now()))
        if tick(rt, clock.now()).claimed == 0 and due == _earliest(
            next_due(rt, until), next_sweep(rt), until
        ):
            raise RuntimeError(f"work due at {due} made no progress at {clock.now()}")
    if until > clock.now():
        clock.set(until)


def _earliest(step: datetime | None, sweep: datetime | None, until: datetime) -> datetime | None:
    found = [m for m in (step, sweep) if m is not None and m <= until]
    return min(found) if found else None
