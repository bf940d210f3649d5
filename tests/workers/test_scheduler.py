"""The scheduler loop without a broker (`nurture run`): claims, runs, stops cleanly."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from nurture.engine.ingest import ingest_event
from nurture.engine.sweeps import SWEEPS
from nurture.formats import EventIn
from nurture.store import models
from nurture.testing import Harness
from nurture.workers.scheduler import Scheduler, in_process

LEASE = timedelta(minutes=5)


def subscribe(nurture: Harness, count: int) -> None:
    for n in range(count):
        ingest_event(
            nurture.runtime, EventIn(id=f"s{n}", email=f"c{n}@example.com", type="subscribed")
        )


def leased(nurture: Harness) -> int:
    with nurture.runtime.sessions() as session:
        rows = session.scalars(select(models.Enrollment.lease_owner)).all()
    return sum(owner is not None for owner in rows)


def test_in_process_workers_run_what_the_scheduler_claims(nurture: Harness) -> None:
    subscribe(nurture, 3)
    stop = threading.Event()
    scheduler = Scheduler(nurture.runtime, in_process(nurture.runtime, LEASE, stop), LEASE)
    assert scheduler.tick() == 3
    assert [nurture.sent_steps(f"c{n}@example.com") for n in range(3)] == [["welcome/welcome"]] * 3
    assert leased(nurture) == 0
    nurture.clock.advance(days=2)
    assert scheduler.tick() == 3
    assert nurture.sent_steps("c0@example.com") == ["welcome/welcome", "welcome/getting-started"]


def test_a_stopping_scheduler_releases_the_claims_it_has_not_run(nurture: Harness) -> None:
    subscribe(nurture, 3)
    stop = threading.Event()
    stop.set()  # SIGTERM arrived between the claim and the run
    scheduler = Scheduler(nurture.runtime, in_process(nurture.runtime, LEASE, stop), LEASE)
    assert scheduler.tick() == 3
    assert leased(nurture) == 0
    assert nurture.sent_steps("c0@example.com") == []
    assert nurture.run_due().claimed == 3  # free at once for another process


def test_claims_stop_while_too_many_are_in_flight(nurture: Harness) -> None:
    subscribe(nurture, 5)
    batches: list[list[int]] = []
    scheduler = Scheduler(
        nurture.runtime, lambda batch, owner: batches.append(batch), LEASE, max_in_flight=2
    )
    assert scheduler.tick() == 2
    assert scheduler.tick() == 0  # both still leased: nothing more is claimed
    assert [len(b) for b in batches] == [2]


def test_run_ticks_and_sweeps_until_stopped(nurture: Harness) -> None:
    subscribe(nurture, 1)
    stop = threading.Event()
    swept: list[object] = []
    SWEEPS["test-sweep"] = lambda rt, now: swept.append(now) or 0
    try:
        scheduler = Scheduler(
            nurture.runtime, in_process(nurture.runtime, LEASE, stop), LEASE, interval=0.01
        )
        runner = threading.Thread(target=scheduler.run, args=(stop,))
        runner.start()
        stop.wait(0.5)
        stop.set()
        runner.join(timeout=10)
    finally:
        del SWEEPS["test-sweep"]
    assert not runner.is_alive()
    assert nurture.sent_steps("c0@example.com") == ["welcome/welcome"]
    assert swept == [nurture.now()]  # once: the sweep interval is a minute
