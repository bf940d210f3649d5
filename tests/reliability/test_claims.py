"""A contact's work under one claim, across a real deployment on PostgreSQL and Redis.

(a) Every contact is in two or three journeys whose first emails fall due at the same send
window opening, with a frequency cap of one email a week; two schedulers and four workers
race for them. (b) A slow SendGrid (each call longer than a fifth of the lease) takes a
batch that lasts many leases. Each prints its counts.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select

from nurture.store import models
from tests.reliability.conftest import Options

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

OPENING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _journey(name: str, template: str, priority: int) -> str:
    return (
        f"id: {name}\nname: Journey {name}\npriority: {priority}\nentry:\n  stages: [lead]\n"
        f"steps:\n  - {{id: {name}-first, type: send, template: {template}}}\n"
        f"  - {{id: {name}-wait, type: wait, duration: 30d}}\n"
    )


CAPPED = Options(
    journeys={
        "alpha": _journey("alpha", "welcome", 30),
        "beta": _journey("beta", "getting-started", 20),
        "gamma": _journey("gamma", "case-study", 10),
    },
    sending={
        "window": {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "start": "08:00",
            "end": "20:00",
        },
        "frequency_cap": {"max": 1, "per": "7d", "when_capped": "wait"},
    },
    # A virtual minute per real second: the window opens a second after the start.
    env={"NURTURE_CLOCK_START": (OPENING - timedelta(minutes=1)).isoformat()}
    | {"NURTURE_CLOCK_SPEED": "60"},
    contacts=200,
    plan=lambda n, now: [
        (name, f"{name}-first", now) for name in ("alpha", "beta", "gamma")[: 2 + n % 2]
    ],
)


def _emails_by_contact(url: str) -> Counter[str]:
    """Emails out or in flight per contact: sent and pending message rows."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(models.Contact.email, models.Message.journey_id)
                .join(models.Contact, models.Contact.id == models.Message.contact_id)
                .where(models.Message.status.in_(("sent", "pending")))
            ).all()
    finally:
        engine.dispose()
    return Counter(email for email, _journey in rows), Counter(j for _e, j in rows)


@pytest.mark.parametrize("deployment", [("redis_url", CAPPED)], indirect=True)
def test_no_contact_exceeds_the_cap_when_its_journeys_fall_due_together(deployment, capsys) -> None:
    started = time.monotonic()
    deployment.enroll()
    for _ in range(4):
        deployment.start_worker()
    for _ in range(2):
        deployment.start_scheduler()
    deployment.wait_workers_ready()
    deployment.wait_sent(deployment.contacts, timeout=120)
    time.sleep(2)  # two more virtual minutes: room for a second email, were the cap broken
    deployment.stop()
    per_contact, per_journey = _emails_by_contact(deployment.database_url)
    over = sum(1 for count in per_contact.values() if count > 1)
    without = deployment.contacts - len(per_contact)
    files = len(list(deployment.outbox.glob("*.eml")))
    with capsys.disabled():
        print(
            f"\ncap of 1 per 7d, {deployment.contacts} contacts in 2-3 journeys due at 08:00, "
            f"2 schedulers, 4 workers: over the cap={over} without an email={without} "
            f"emails={sum(per_contact.values())} outbox_files={files} by journey="
            f"{dict(per_journey)} ({time.monotonic() - started:.0f}s)"
        )
    assert over == 0
    assert without == 0
    assert files == deployment.contacts
    assert per_journey == {"alpha": deployment.contacts}  # the highest priority goes first


@pytest.fixture
def slow_sendgrid(fake_sendgrid):
    return fake_sendgrid(delay=0.35)


SLOW = Options(
    journeys={"hello": _journey("hello", "welcome", 10)},
    contacts=12,
    plan=lambda n, now: [("hello", "hello-first", now)],
)


@pytest.mark.parametrize("deployment", [("redis_url", SLOW)], indirect=True)
def test_a_slow_provider_never_gets_an_email_twice(deployment, slow_sendgrid, capsys) -> None:
    started = time.monotonic()
    deployment.env.update(
        NURTURE_EMAIL_BACKEND="sendgrid",
        SENDGRID_API_KEY="SG.fake",
        NURTURE_SENDGRID_HOST=slow_sendgrid.url,
        NURTURE_SENDGRID_MAX_RETRIES="0",
        NURTURE_LEASE_SECONDS="1.5",  # a batch of 12 calls of 0.35 s lasts almost 3 leases
    )
    deployment.enroll()
    for _ in range(2):
        deployment.start_worker()
    deployment.start_scheduler()
    deployment.wait_workers_ready()
    deployment.wait_sent(deployment.contacts, timeout=60)
    time.sleep(1)
    deployment.stop()
    calls = sum(slow_sendgrid.calls.values())
    with capsys.disabled():
        print(
            f"\nslow SendGrid (0.35 s a call, lease 1.5 s): contacts={deployment.contacts} "
            f"calls={calls} handed_twice={slow_sendgrid.twice()} "
            f"delivered={len(slow_sendgrid.accepted)} ({time.monotonic() - started:.0f}s)"
        )
    assert slow_sendgrid.twice() == 0
    assert len(slow_sendgrid.accepted) == deployment.contacts
    assert calls == deployment.contacts
