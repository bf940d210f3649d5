"""The scheduler loop: on every tick, claim what is due and hand it to a dispatcher.

Waits of days live in the database as ``next_run_at``; the broker only ever carries work
that is due now. Several schedulers may run at once: a claim is a lease taken by one
guarded statement (engine/tick.claim_due), so no enrollment is claimed twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from nurture.engine.dispatch import run_claimed
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import SWEEPS, run_sweeps
from nurture.engine.tick import CHUNK, claim_due, leased_count, release_claims

log = logging.getLogger(__name__)

#: Hands a claimed batch on: ``dispatch(enrollment_ids, owner)``.
Dispatch = Callable[[list[int], str], None]


@dataclass
class Scheduler:
    rt: Runtime
    dispatch: Dispatch
    lease: timedelta
    batch: int = 200
    interval: float = 1.0
    #: Claim no more while this many leases are live: a backlog longer than a lease
    #: would expire in the queue and be claimed (and enqueued) again.
    max_in_flight: int = 1000
    sweep_every: float = 60.0
    sweep: Callable[[], None] | None = None
    claimed: int = 0
    _last_sweep: float = field(default=float("-inf"))

    def tick(self) -> int:
        """Claim and dispatch everything due now, batch after batch; the number claimed."""
        now = self.rt.clock.now()
        owner = uuid.uuid4().hex
        claimed = 0
        room = self.max_in_flight - leased_count(self.rt, now)
        while room > 0 and (
            batch := claim_due(self.rt, now, owner, min(self.batch, room), self.lease)
        ):
            try:
                self.dispatch(batch, owner)
            except BaseException:
                release_claims(self.rt, owner, batch)
                raise
            claimed += len(batch)
            room -= len(batch)
            if len(batch) < self.batch:
                break
        self.claimed += claimed
        return claimed

    def run(self, stop: threading.Event) -> None:
        """Tick every ``interval`` seconds until ``stop`` is set; survive a lost database."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
                if started - self._last_sweep >= self.sweep_every:
                    self._last_sweep = started
                    (self.sweep or (lambda: run_sweeps(self.rt)))()
            except Exception:
                log.exception("scheduler tick failed; trying again in %.1fs", self.interval)
            stop.wait(max(0.0, self.interval - (time.monotonic() - started)))


def in_process(rt: Runtime, lease: timedelta, stop: threading.Event) -> Dispatch:
    """Run the claimed enrollments right here (no broker); on stop, release the rest."""

    def dispatch(batch: list[int], owner: str) -> None:
        for start in range(0, len(batch), CHUNK):
            if stop.is_set():
                release_claims(rt, owner, batch[start:])
                return
            try:
                run_claimed(rt, batch[start : start + CHUNK], owner, lease)
            except Exception:
                log.exception("enrollments failed; their leases expire, then they run again")

    return dispatch


def to_broker() -> Dispatch:
    """Enqueue one `execute_steps` message per chunk of claimed enrollments: few enough
    messages to keep the broker cheap, enough to spread a batch over the workers."""
    from nurture.workers.actors import execute_steps

    def dispatch(batch: list[int], owner: str) -> None:
        for start in range(0, len(batch), CHUNK):
            execute_steps.send(batch[start : start + CHUNK], owner)

    return dispatch


def sweeps_to_broker() -> None:
    """Enqueue one `sweep` message per registered sweep."""
    from nurture.workers.actors import sweep

    for name in SWEEPS:
        sweep.send(name)
