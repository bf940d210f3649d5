"""Work on the clock besides journey steps: score decay, SLA escalation, notification delivery.

The scheduler's tick calls :func:`run_sweeps` every time; each sweep is an index read on a
"due at" column (``contacts.decay_due_at``, ``handoffs.check_at``,
``notifications.next_attempt_at``), so a tick with nothing due costs three small queries.
The time-travel harness includes :func:`next_sweep` among its due times, so it never skips one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nurture.engine import decay, escalation, notifications
from nurture.engine.runtime import Runtime

_SWEEPS: tuple[
    tuple[Callable[[Runtime], datetime | None], Callable[[Runtime, datetime], int]], ...
] = (
    (decay.next_decay, decay.sweep),
    (escalation.next_check, escalation.sweep),
    (notifications.next_delivery, notifications.deliver_due),
)


def run_sweeps(rt: Runtime, now: datetime) -> int:
    """Run every sweep with work due at ``now``; return how many ran (0: nothing was due)."""
    ran = 0
    for due, sweep in _SWEEPS:
        moment = due(rt)
        if moment is not None and moment <= now:
            sweep(rt, now)
            ran += 1
    return ran


def next_sweep(rt: Runtime) -> datetime | None:
    """The earliest moment a sweep has work: what a time-travelling clock must not skip."""
    found = [moment for due, _ in _SWEEPS if (moment := due(rt)) is not None]
    return min(found) if found else None
