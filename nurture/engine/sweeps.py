"""Work on the clock besides journey steps, and when it falls due.

Score decay and SLA checks touch a contact, so they run under the contact's claim with its
steps (engine/dispatch.py): their due indexes (``contacts.decay_due_at``,
``handoffs.check_at``) are among those contacts are claimed by. What touches no contact is a
sweep registered here by name, ``(runtime, now) -> count``: handoff notifications, claimed
row by row through ``notifications.next_attempt_at`` with the same claim helper. Every
kind of work has a due read, a named one-value statement (its next moment); all of them are
read together in one statement, so the scheduler sleeps until the earliest (an accelerated
clock is followed) and the time-travel harness stops at each without a read per kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select

from nurture.engine import notifications
from nurture.engine.runtime import Runtime
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements import notifications as notification_statements

Sweep = Callable[[Runtime, datetime], int]

SWEEPS: dict[str, Sweep] = {}
DUE: dict[str, Select[Any]] = {}
"""Each kind's next moment: a statement selecting one value (None when nothing waits)."""
log = logging.getLogger(__name__)


def register(name: str, sweep: Sweep, due: Select[Any] | None = None) -> None:
    SWEEPS[name] = sweep
    if due is not None:
        DUE[name] = due


register("notifications", notifications.deliver_due, notification_statements.NEXT)
DUE["decay"] = contact_statements.NEXT_DECAY
DUE["escalation"] = contact_statements.NEXT_CHECK


def run_sweep(rt: Runtime, name: str, now: datetime | None = None) -> int:
    """Run one registered sweep at ``now`` (default: the clock's time); return its count."""
    return SWEEPS[name](rt, now or rt.clock.now())


def run_sweeps(
    rt: Runtime, now: datetime | None = None, names: list[str] | None = None
) -> dict[str, int]:
    """Run every sweep (or those named); one failing does not stop the others (it runs
    again next time)."""
    now = now or rt.clock.now()
    done = {}
    for name in list(SWEEPS) if names is None else names:
        try:
            done[name] = run_sweep(rt, name, now)
        except Exception:
            log.exception("sweep %s failed; it runs again on the next interval", name)
    return done


def next_sweep(rt: Runtime) -> datetime | None:
    """The earliest moment a sweep has work: what a time-travelling clock must not skip."""
    with rt.engine.connect() as connection:
        row = connection.execute(contact_statements.moments(DUE)).one()._mapping
    return min((row[name] for name in DUE if row[name] is not None), default=None)
