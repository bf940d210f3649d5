"""Move a manual clock forward through the due times, running each tick on time.

The clock jumps from one due time to the next and never walks through empty time; this is
how the demo, the simulator and workspace tests travel through weeks in milliseconds.
"""

from __future__ import annotations

from datetime import datetime

from nurture.clock import ManualClock
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import next_sweep
from nurture.engine.tick import tick
from nurture.store import models
from nurture.store.statements import contacts as statements


def next_due(rt: Runtime, until: datetime) -> datetime | None:
    """The earliest moment at or before ``until`` when some enrollment can run.

    A step of a leased contact can run again only once the lease has expired. Two reads on
    the ``next_run_at`` index, not a scan: the earliest step whose contact is free, then the
    leases over the steps due before it (only those could be ready sooner).
    """
    with rt.engine.connect() as connection:
        free = connection.scalar(statements.NEXT_FREE_STEP)
        leased = statements.NEXT_LEASE_END
        if free is not None:
            leased = leased.where(models.Enrollment.next_run_at < free)
        expiring = connection.scalar(leased)
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
