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
        rows = session.scalars(select(models.Contact.lease_owner)).all()
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


def test_run_ticks_until_stopped(nurture: Harness) -> None:
    subscribe(nurture, 1)
    stop = threading.Event()
    scheduler = Scheduler(
        nurture.runtime, in_process(nurture.runtime, LEASE, stop), LEASE, interval=0.01
    )
    runner = threading.Thread(target=scheduler.run, args=(stop,))
    runner.start()
    stop.wait(0.5)
    stop.set()
    runner.join(timeout=10)
    assert not runner.is_alive()
    assert nurture.sent_steps("c0@example.com") == ["welcome/welcome"]


def test_the_scheduler_sleeps_until_the_next_due_time_at_the_clocks_speed(
    nurture: Harness,
) -> None:
    subscribe(nurture, 1)
    stop = threading.Event()
    hourly = Scheduler(
        nurture.runtime, in_process(nurture.runtime, LEASE, stop), LEASE, interval=5, rate=3600
    )
    hourly.tick()  # the welcome goes out; the next email is due in days
    now = nurture.now()
    assert hourly.pause(now) == 0.5  # never more than half a virtual hour: 1800 s / 3600
    with nurture.runtime.sessions.begin() as session:
        enrollment = session.scalars(select(models.Enrollment)).one()
        enrollment.next_run_at = now + timedelta(minutes=10)
    assert abs(hourly.pause(now) - 600 / 3600) < 1e-6  # ten virtual minutes, in real seconds
    assert Scheduler(nurture.runtime, hourly.dispatch, LEASE, interval=0.05).pause(now) == 0.05


def test_due_notifications_are_swept_by_the_scheduler(nurture: Harness) -> None:
    swept: list[object] = []
    SWEEPS["test-sweep"] = lambda rt, now: swept.append(now) or 0
    scheduler = Scheduler(nurture.runtime, lambda batch, owner: None, LEASE)
    try:
        scheduler.tick()
        assert swept == []  # nothing due
        nurture.contact("ana@acme.com")
        with nurture.runtime.sessions.begin() as session:
            contact = session.scalars(select(models.Contact)).one()
            handoff = models.Handoff(
                contact_id=contact.id,
                owner="rep@acme.com",
                sla_due_at=nurture.now(),
                created_at=nurture.now(),
            )
            session.add(handoff)
            session.flush()
            session.add(
                models.Notification(
                    handoff_id=handoff.id,
                    channel="email",
                    target="rep@acme.com",
                    payload={"subject": "s", "lines": []},
                    next_attempt_at=nurture.now(),
                    created_at=nurture.now(),
                )
            )
        swept.clear()  # the harness's own ticks sweep too
        scheduler.tick()
    finally:
        del SWEEPS["test-sweep"]
    assert swept == [nurture.now()]


def test_at_86400x_the_scheduler_wakes_for_an_sla_check_at_its_due_time(
    nurture: Harness,
) -> None:
    rt = nurture.runtime
    nurture.contact("ana@acme.com")
    due = nurture.now() + timedelta(minutes=20)
    with rt.sessions.begin() as session:
        contact = session.scalars(select(models.Contact)).one()
        session.add(
            models.Handoff(
                contact_id=contact.id,
                owner="maja.novak@acme.example",
                sla_due_at=due,
                check_at=due,
                created_at=nurture.now(),
            )
        )
    stop = threading.Event()
    scheduler = Scheduler(rt, in_process(rt, LEASE, stop), LEASE, interval=1.0, rate=86400)
    assert scheduler.tick() == 0
    assert scheduler.pause(nurture.now()) == 1200 / 86400  # twenty virtual minutes: 14 ms
    assert _escalations(nurture) == []

    nurture.clock.set(due)  # where the sleep ends
    assert scheduler.tick() == 1
    [escalated] = _escalations(nurture)
    assert escalated.at == due


def _escalations(nurture: Harness) -> list[models.HandoffEvent]:
    with nurture.runtime.sessions() as session:
        return list(
            session.scalars(
                select(models.HandoffEvent).where(models.HandoffEvent.kind == "escalated")
            )
        )
