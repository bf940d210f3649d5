"""Work on the clock besides journey steps, and when it falls due.

Score decay and SLA checks touch a contact, so they run under the contact's claim with its
steps (engine/dispatch.py): their due indexes (``contacts.decay_due_at``,
``handoffs.check_at``) are among those contacts are claimed by. What touches no contact is a
sweep registered here by name, ``(runtime, now) -> count``: handoff notifications, claimed
row by row through ``notifications.next_attempt_at`` with the same claim helper. Every
kind of work has a due function; the scheduler sleeps until the earliest (so an
accelerated clock is followed) and the time-travel harness stops at each.
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


register("notifications", notifications.deliver_due, notifications.next_delivery)
DUE["decay"] = decay.next_decay
DUE["escalation"] = escalation.next_check


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
