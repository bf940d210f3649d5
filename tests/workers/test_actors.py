"""The broker path: the scheduler claims and enqueues, a worker actor runs each claim once.

A broker delivers at least once: the same message twice, a message after its claim went to
someone else, a retry after a failure. None of them may send an email a second time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from nurture.engine.ingest import ingest_event
from nurture.engine.sweeps import SWEEPS
from nurture.errors import ProviderError
from nurture.formats import EventIn
from nurture.store import models
from nurture.workers.deadletters import list_dead, retry_dead
from nurture.workers.scheduler import Scheduler, to_broker

LEASE = timedelta(minutes=5)
PEOPLE = ["ana@acme.com", "bob@acme.com", "cid@acme.com"]


def subscribe(harness, *emails: str) -> None:
    for email in emails:
        ingest_event(harness.runtime, EventIn(id=f"sub-{email}", email=email, type="subscribed"))


def scheduler(harness) -> Scheduler:
    return Scheduler(harness.runtime, to_broker(), LEASE)


def drain(actors, worker) -> None:
    actors.broker.join(actors.STEPS, fail_fast=True)
    worker.join()


def messages(harness) -> list[models.Message]:
    with harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Message).order_by(models.Message.id)))


def leases(harness) -> list[tuple[str | None, object]]:
    with harness.runtime.sessions() as session:
        return [
            (c.lease_owner, c.lease_until)
            for c in session.scalars(select(models.Contact).order_by(models.Contact.id))
        ]


def test_the_scheduler_enqueues_what_is_due_and_workers_send_it_once(
    harness, actors, worker
) -> None:
    subscribe(harness, *PEOPLE)
    assert scheduler(harness).tick() == 3
    assert scheduler(harness).tick() == 0  # leased: a second scheduler finds nothing
    drain(actors, worker)
    assert [harness.sent_steps(p) for p in PEOPLE] == [["welcome/welcome"]] * 3
    assert leases(harness) == [(None, None)] * 3  # asleep until the next step, lease released

    harness.clock.advance(days=2)
    assert scheduler(harness).tick() == 3
    drain(actors, worker)
    assert harness.sent_steps("ana@acme.com") == ["welcome/welcome", "welcome/getting-started"]


def test_a_redelivered_message_sends_nothing_again(harness, actors, worker) -> None:
    subscribe(harness, "ana@acme.com")
    sent: list[object] = []
    enqueue = actors.broker.enqueue

    def twice(message, *, delay=None):
        sent.append(message)
        enqueue(message, delay=delay)
        return enqueue(message.copy(), delay=delay)  # the broker delivers it a second time

    actors.broker.enqueue = twice
    try:
        assert scheduler(harness).tick() == 1
    finally:
        actors.broker.enqueue = enqueue
    drain(actors, worker)
    assert len(sent) == 1
    [message] = messages(harness)
    assert message.status == "sent"
    assert [p.name for p in harness.outbox.glob("*.eml")] == [f"{message.uid}.eml"]


def test_a_message_whose_claim_was_taken_over_does_nothing(harness, actors, worker) -> None:
    subscribe(harness, "ana@acme.com")
    late = Scheduler(harness.runtime, lambda batch, owner: None, LEASE)
    assert late.tick() == 1  # claimed, but its message never arrives (a dead scheduler)
    harness.clock.advance(minutes=6)  # the lease expires
    assert scheduler(harness).tick() == 1  # claimed again, and enqueued
    [(owner, _until)] = leases(harness)
    actors.execute_contacts.send([1], "the-dead-schedulers-owner")
    drain(actors, worker)
    assert harness.sent_steps("ana@acme.com") == ["welcome/welcome"]
    assert len(messages(harness)) == 1
    assert owner is not None


def test_a_provider_that_is_down_backs_off_and_the_step_goes_out_once_it_is_back(
    harness, actors, worker
) -> None:
    subscribe(harness, "ana@acme.com")
    provider = harness.runtime.provider
    calls: list[str] = []

    class Down:
        name = provider.name

        def send(self, email):
            calls.append(email.message_uid)
            raise ProviderError("connection refused")

    harness.runtime.provider = Down()
    scheduler(harness).tick()
    drain(actors, worker)
    assert list_dead(actors.broker, [actors.STEPS]) == []  # a step's failure is ours to retry
    [pending] = messages(harness)
    assert pending.status == "pending"
    with harness.runtime.sessions() as session:
        [enrollment] = session.scalars(select(models.Enrollment)).all()
    assert (enrollment.attempts, enrollment.last_error) == (
        1,
        "ProviderError: connection refused",
    )
    assert enrollment.next_run_at is not None and enrollment.next_run_at > harness.now()
    assert leases(harness) == [(None, None)]

    harness.runtime.provider = provider  # the provider is back
    harness.clock.set(enrollment.next_run_at)
    scheduler(harness).tick()
    drain(actors, worker)
    assert harness.sent_steps("ana@acme.com") == ["welcome/welcome"]
    [sent] = messages(harness)
    assert calls == [sent.uid]  # the retry sent under the same message id


def test_a_run_that_loses_its_database_is_dead_lettered_visible_and_retryable(
    harness, actors, worker, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from nurture.engine import execute

    subscribe(harness, "ana@acme.com")
    rounds = execute._round

    def lost(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))

    monkeypatch.setattr(execute, "_round", lost)
    Scheduler(
        harness.runtime,
        lambda batch, owner: actors.execute_contacts.send_with_options(
            args=(batch, owner), max_retries=0
        ),
        LEASE,
    ).tick()
    drain_dead(actors, worker)
    [letter] = list_dead(actors.broker, [actors.STEPS])
    assert letter.actor == "execute_contacts"
    assert "sqlalche.me" in (letter.error or "")  # the last line of the traceback
    assert messages(harness) == []

    monkeypatch.setattr(execute, "_round", rounds)  # the database is back
    assert [r.message_id for r in retry_dead(actors.broker, [actors.STEPS])] == [letter.message_id]
    drain(actors, worker)
    assert list_dead(actors.broker, [actors.STEPS]) == []
    assert harness.sent_steps("ana@acme.com") == ["welcome/welcome"]


def drain_dead(actors, worker) -> None:
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError):
        actors.broker.join(actors.STEPS, fail_fast=True)
    worker.join()


def test_an_event_message_is_ingested_once_however_often_it_comes(harness, actors, worker) -> None:
    event = EventIn(id="evt-1", email="ana@acme.com", type="subscribed")
    actors.submit_event(event, harness.now())
    actors.submit_event(event, harness.now())
    actors.broker.join(actors.EVENTS, fail_fast=True)
    worker.join()
    with harness.runtime.sessions() as session:
        assert len(session.scalars(select(models.Event)).all()) == 1
    assert harness.stage("ana@acme.com") == "lead"


def test_registered_sweeps_run_as_broker_messages(harness, actors, worker) -> None:
    seen: list[object] = []
    SWEEPS["test-sweep"] = lambda rt, now: seen.append(now) or 1
    try:
        from nurture.workers.scheduler import sweeps_to_broker

        sweeps_to_broker()
        actors.broker.join(actors.SWEEPS, fail_fast=True)
        worker.join()
    finally:
        del SWEEPS["test-sweep"]
    assert seen == [harness.now()]
