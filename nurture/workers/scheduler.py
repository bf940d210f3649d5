"""The scheduler loop: claim the contacts with work due and hand them to a dispatcher.

Waits of days live in the database as due times (``next_run_at``, ``decay_due_at``,
``check_at``, ``next_attempt_at``); the broker only ever carries work that is due now.
Between ticks the scheduler sleeps until the next due time, converted to real seconds by
the clock's speed, and never longer than ``interval`` nor than half an hour of virtual
time: at 86,400x an SLA check runs within a virtual hour of its due time. Several
schedulers may run at once: a claim is a lease taken by one guarded statement
(store/claims.py), so no contact is claimed twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from nurture.engine.dispatch import run_claimed
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import run_sweeps
from nurture.engine.tick import CHUNK, claim_due, leased_count, release_claims
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements import notifications as notification_statements

log = logging.getLogger(__name__)

#: Hands a claimed batch on: ``dispatch(contact_ids, owner)``.
Dispatch = Callable[[list[int], str], None]
#: The most virtual time the scheduler sleeps through, whatever the clock's speed.
MAX_LATENESS = timedelta(minutes=30)
MIN_SLEEP = 0.01
#: Contacts per broker message, each run as one batch by a worker: small enough to spread
#: a claimed batch over the workers' threads (in process, a batch runs CHUNK at a time).
MESSAGE_CHUNK = 25


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
    sweep: Callable[[], None] | None = None
    #: Virtual seconds per real second (NURTURE_CLOCK_SPEED under an accelerated clock).
    rate: float = 1.0
    claimed: int = 0

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
        if self._notifications_due(now):
            (self.sweep or (lambda: run_sweeps(self.rt)))()
        return claimed

    def _notifications_due(self, now: datetime) -> bool:
        with self.rt.engine.connect() as connection:
            due = connection.scalar(notification_statements.NEXT_FREE, {"now": now})
        return due is not None and due <= now

    def next_due(self, now: datetime) -> datetime | None:
        """The next moment some work falls due after ``now``."""
        with self.rt.engine.connect() as connection:
            found = [connection.scalar(query) for query in contact_statements.next_due_after(now)]
            found.append(connection.scalar(notification_statements.NEXT_AFTER, {"now": now}))
        return min((moment for moment in found if moment is not None), default=None)

    def pause(self, now: datetime) -> float:
        """Real seconds to sleep: until the next due time, at most ``interval``."""
        longest = min(self.interval, MAX_LATENESS.total_seconds() / self.rate)
        due = self.next_due(now)
        if due is None:
            return longest
        return max(MIN_SLEEP, min(longest, (due - now).total_seconds() / self.rate))

    def run(self, stop: threading.Event) -> None:
        """Tick until ``stop`` is set, sleeping until the next due time; survive a lost database."""
        while not stop.is_set():
            started = time.monotonic()
            pause = self.interval
            try:
                self.tick()
                pause = self.pause(self.rt.clock.now())
            except Exception:
                log.exception("scheduler tick failed; trying again in %.1fs", self.interval)
            stop.wait(max(0.0, pause - (time.monotonic() - started)))


def in_process(rt: Runtime, lease: timedelta, stop: threading.Event) -> Dispatch:
    """Run the claimed contacts right here (no broker); on stop, release the rest."""

    def dispatch(batch: list[int], owner: str) -> None:
        for start in range(0, len(batch), CHUNK):
            if stop.is_set():
                release_claims(rt, owner, batch[start:])
                return
            try:
                run_claimed(rt, batch[start : start + CHUNK], owner)
            except Exception:
                log.exception("contacts failed; their leases expire, then they run again")

    return dispatch


def to_broker() -> Dispatch:
    """Enqueue one `execute_contacts` message per chunk of claimed contacts: few enough
    messages to keep the broker cheap, enough to spread a batch over the workers."""
    from nurture.workers.actors import execute_contacts

    def dispatch(batch: list[int], owner: str) -> None:
        for start in range(0, len(batch), MESSAGE_CHUNK):
            execute_contacts.send(batch[start : start + MESSAGE_CHUNK], owner)

    return dispatch


def sweeps_to_broker() -> None:
    """Enqueue one `sweep` message per registered sweep."""
    from nurture.engine.sweeps import SWEEPS
    from nurture.workers.actors import sweep

    for name in SWEEPS:
        sweep.send(name)
