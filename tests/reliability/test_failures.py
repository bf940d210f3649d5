"""The sent mark and failed steps on the real PostgreSQL (and a fake SendGrid on HTTP).

(c) The database is cut (connections terminated, new ones refused for half a second) right
after the provider has taken an email, before its sent mark (half a second): the mark waits for the
database rather than failing the delivery, so nothing is handed to the provider twice.
(d) A template that divides by zero, a SendGrid 400 and a SendGrid that keeps answering
503: each step fails after its documented attempts (1, 1, and NURTURE_MAX_ATTEMPTS),
visibly in `contacts show`, and no contact is left leased. Each prints its counts.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from nurture.bootstrap import open_runtime
from nurture.clock import ManualClock
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.outbox import OutboxProvider
from nurture.engine.failures import list_failures
from nurture.engine.queries import contact_summary
from nurture.engine.tick import tick
from nurture.engine.timeline import advance_to
from nurture.settings import load_settings
from nurture.store import models
from nurture.store.migrate import upgrade
from tests.reliability.conftest import _workspace

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FLAKY = "flaky@example.com"
HELLO = """\
id: hello
name: One email
entry:
  stages: [lead]
steps:
  - {id: hello, type: send, template: TEMPLATE}
  - {id: rest, type: wait, duration: 30d}
"""


def _runtime(url: str, tmp_path: Path, template: str, **settings: object):
    upgrade(url)
    workspace = _workspace(tmp_path, {"hello": HELLO.replace("TEMPLATE", template)})
    templates = workspace / "templates"
    (templates / "share.subject").write_text("Your share")
    (templates / "share.html").write_text(
        "<p>Each of you gets {{ 100 // contact.attributes.people }}%.</p>"
    )
    return open_runtime(
        load_settings(
            database_url=url,
            workspace=workspace,
            outbox_dir=tmp_path / "outbox",
            **settings,
        ),
        clock=ManualClock(START),
    )


def _enroll(rt, people: dict[str, dict[str, object]]) -> None:
    with rt.engine.begin() as connection:
        version = connection.scalar(select(models.JourneyVersion.id))
        for email, attributes in people.items():
            contact_id = connection.execute(
                insert(models.Contact)
                .values(
                    email=email,
                    stage="lead",
                    score=0,
                    band="cold",
                    grade="C",
                    attributes=attributes,
                    stage_changed_at=START,
                    created_at=START,
                    updated_at=START,
                )
                .returning(models.Contact.id)
            ).scalar_one()
            connection.execute(
                insert(models.Enrollment).values(
                    contact_id=contact_id,
                    journey_id="hello",
                    version_id=version,
                    status="active",
                    current_step="hello",
                    step_entered_at=START,
                    next_run_at=START,
                    enrolled_at=START,
                )
            )


class CutAfterSend:
    """The outbox, except that every ``every``-th email it takes is followed by a cut of
    the database: its connections are terminated and new ones refused for ``outage`` s."""

    name = "outbox"

    def __init__(self, folder: Path, url: str, every: int, outage: float) -> None:
        self.outbox = OutboxProvider(folder)
        self.calls: Counter[str] = Counter()
        self.cuts = 0
        self.every, self.outage = every, outage
        target = make_url(url)
        self.database = target.database
        # From another database: one cannot refuse connections to the database one is in.
        self.admin = create_engine(
            target.set(database="postgres"), isolation_level="AUTOCOMMIT"
        ).connect()

    def send(self, email: OutgoingEmail) -> str:
        provider_id = self.outbox.send(email)
        self.calls[email.message_uid] += 1
        if sum(self.calls.values()) % self.every == 0:
            self.cut()
        return provider_id

    def cut(self) -> None:
        self.cuts += 1
        self.admin.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false'))
        self.admin.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": self.database},
        )
        threading.Timer(self.outage, self.restore).start()

    def restore(self) -> None:
        self.admin.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true'))


def test_a_database_cut_at_the_sent_mark_hands_nothing_over_twice(
    empty_postgres_url, tmp_path, capsys
) -> None:
    started = time.monotonic()
    rt = _runtime(empty_postgres_url, tmp_path, "welcome")
    provider = CutAfterSend(tmp_path / "outbox", empty_postgres_url, every=10, outage=0.5)
    rt.provider = provider
    people = 40
    _enroll(rt, {f"c{n}@example.com": {} for n in range(people)})
    try:
        for _ in range(20):
            if tick(rt).claimed == 0:
                break
        with rt.engine.connect() as connection:
            sent = connection.scalar(select(func.count()).where(models.Message.status == "sent"))
    finally:
        time.sleep(provider.outage)
        provider.admin.close()
        rt.engine.dispose()
    twice = sum(1 for count in provider.calls.values() if count > 1)
    with capsys.disabled():
        print(
            f"\ndatabase cut after the provider took the email ({provider.cuts} cuts of {provider.outage} s): "
            f"contacts={people} provider_calls={sum(provider.calls.values())} "
            f"handed_twice={twice} sent_rows={sent} ({time.monotonic() - started:.0f}s)"
        )
    assert provider.cuts == people // 10
    assert twice == 0
    assert sent == people == len(provider.calls)


def test_render_failures_and_refusals_fail_after_their_attempts_visibly(
    empty_postgres_url, tmp_path, fake_sendgrid, capsys
) -> None:
    started = time.monotonic()
    answers = {"bad@example.com": 400, "flaky@example.com": 503}
    sendgrid = fake_sendgrid(answer=lambda to: answers.get(to, 202))
    rt = _runtime(
        empty_postgres_url,
        tmp_path,
        "share",
        email_backend="sendgrid",
        sendgrid_api_key="SG.fake",
        sendgrid_host=sendgrid.url,
        sendgrid_max_retries=0,
        max_attempts=3,
        retry_first_seconds=60,
    )
    _enroll(
        rt,
        {
            "ok@example.com": {"people": 4},
            "zero@example.com": {"people": 0},
            "bad@example.com": {"people": 4},
            "flaky@example.com": {"people": 4},
        },
    )
    try:
        advance_to(rt, rt.clock, START + timedelta(hours=1))  # type: ignore[arg-type]
        shown = {
            email: contact_summary(rt, email)
            for email in ("ok@example.com", "zero@example.com", "bad@example.com", FLAKY)
        }
        failures = list_failures(rt)
        with rt.engine.connect() as connection:
            leased = connection.scalar(
                select(func.count()).where(models.Contact.lease_owner.is_not(None))
            )
    finally:
        rt.engine.dispose()

    def outcome(email: str) -> tuple[object, ...]:
        [enrollment] = shown[email]["enrollments"]
        [message] = shown[email]["messages"]
        return (enrollment["exit_reason"], enrollment["attempts"], message["status"])

    calls = {email: sendgrid.calls[shown[email]["messages"][0]["uid"]] for email in shown}
    with capsys.disabled():
        print(
            f"\nfailures: {len(failures)} failed "
            + ", ".join(f"{email}={outcome(email)} calls={calls[email]}" for email in shown)
            + f" leased={leased} ({time.monotonic() - started:.0f}s)"
        )
    assert outcome("ok@example.com") == (None, 0, "sent")
    assert outcome("zero@example.com") == ("failed", 1, "failed")
    assert outcome("bad@example.com") == ("failed", 1, "failed")
    assert outcome("flaky@example.com") == ("failed", 3, "failed")
    assert calls == {
        "ok@example.com": 1,
        "zero@example.com": 0,
        "bad@example.com": 1,
        "flaky@example.com": 3,
    }
    assert "ZeroDivisionError" in shown["zero@example.com"]["enrollments"][0]["last_error"]
    assert "400" in shown["bad@example.com"]["messages"][0]["error"]
    assert "503" in shown["flaky@example.com"]["enrollments"][0]["last_error"]
    assert sorted(f.contact for f in failures) == [
        "bad@example.com",
        "flaky@example.com",
        "zero@example.com",
    ]
    assert leased == 0
    assert not any(summary["leased"] for summary in shown.values())
