"""Periodic sweeps: work that is due by the clock rather than by one enrollment.

Score decay, SLA breaches of handoffs and their notifications are sweeps: each is a function
``(runtime, now) -> count`` registered here by name. The scheduler runs every registered
sweep on its interval (in-process, or as one broker message per sweep), so each must be
idempotent: running it twice at the same ``now`` changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from nurture.engine.runtime import Runtime

Sweep = Callable[[Runtime, datetime], int]

SWEEPS: dict[str, Sweep] = {}
log = logging.getLogger(__name__)


def sweep(name: str) -> Callable[[Sweep], Sweep]:
    """Register a sweep under ``name`` (a decorator)."""

    def register(function: Sweep) -> Sweep:
        SWEEPS[name] = function
        return function

    return register


def run_sweep(rt: Runtime, name: str, now: datetime | None = None) -> int:
    """Run one registered sweep at ``now`` (default: the clock's time)."""
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
