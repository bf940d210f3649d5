"""Work on the clock besides journey steps: score decay, SLA escalation, notification delivery.

Each sweep is a function ``(runtime, now) -> count`` registered here by name, with a function
telling when it next has work (an index read on a "due at" column: ``contacts.decay_due_at``,
``handoffs.check_at``, ``notifications.next_attempt_at``). The scheduler runs every sweep on
its interval (in-process, or one broker message per sweep), so each is idempotent: running it
twice at the same ``now`` changes nothing the second time. The time-travel harness includes
:func:`next_sweep` among its due times, so it never skips one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from nurture.engine import decay, escalation, notifications
from nurture.engine.runtime import Runtime

Sweep = Callable[[Runtime, datetime], int]
Due = Callable[[Runtime], datetime | None]

SWEEPS: dict[str, Sweep] = {}
DUE: dict[str, Due] = {}
log = logging.getLogger(__name__)


def register(name: str, sweep: Sweep, due: Due | None = None) -> None:
    SWEEPS[name] = sweep
    if due is not None:
        DUE[name] = due


register("decay", decay.sweep, decay.next_decay)
register("escalation", escalation.sweep, escalation.next_check)
register("notifications", notifications.deliver_due, notifications.next_delivery)


def run_sweep(rt: Runtime, name: str, now: datetime | None = None) -> int:
    """Run one registered sweep at ``now`` (default: the clock's time); return its count."""
    return SWEEPS[name](rt, now or rt.clock.now())


def run_sweeps(rt: Runtime, now: datetime | None = None) -> dict[str, int]:
    """Run every sweep; one failing does not stop the others (it runs again next time)."""
    now = now or rt.clock.now()
    done = {}
    for name in list(SWEEPS):
        try:
            done[name] = run_sweep(rt, name, now)
        except Exception:
            log.exception("sweep %s failed; it runs again on the next interval", name)
    return done


def next_sweep(rt: Runtime) -> datetime | None:
    """The earliest moment a sweep has work: what a time-travelling clock must not skip."""
    found = [moment for due in DUE.values() if (moment := due(rt)) is not None]
    return min(found) if found else None
