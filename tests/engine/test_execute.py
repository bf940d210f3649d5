"""Executing steps: each email reaches the provider under one message id, whatever fails."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.outbox import OutboxProvider
from nurture.engine.contacts import find_contact
from nurture.engine.journeys import enroll
from nurture.errors import ProviderError
from nurture.store import models
from nurture.testing import Harness, make_harness

BOB = "bob@acme.com"


class FlakyProvider:
    """The outbox, with a fault injected around the n-th call."""

    name = "flaky"

    def __init__(self, outbox: Path, fail: Callable[[int], str | None]) -> None:
        self.inner = OutboxProvider(outbox)
        self.fail = fail
        self.calls: list[str] = []

    def send(self, email: OutgoingEmail) -> str:
        self.calls.append(email.message_uid)
        fault = self.fail(len(self.calls))
        if fault == "before":
            raise ProviderError("connection refused")
        result = self.inner.send(email)
        if fault == "after":
            raise ConnectionResetError("worker died after the provider accepted the email")
        return result


@pytest.fixture
def flaky_harness(tmp_path, nurture_clock, nurture_workspace, nurture_templates):
    def build(fail: Callable[[int], str | None]) -> tuple[Harness, FlakyProvider]:
        provider = FlakyProvider(tmp_path / "outbox", fail)
        harness = make_harness(
            tmp_path, nurture_clock, nurture_workspace, nurture_templates, provider=provider
        )
        return harness, provider

    return build


def _messages(harness: Harness) -> list[models.Message]:
    with harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Message).order_by(models.Message.id)))


def test_a_crash_after_the_provider_call_resends_under_the_same_id(flaky_harness) -> None:
    harness, provider = flaky_harness(lambda call: "after" if call == 1 else None)
    harness.emit(BOB, "subscribed")
    [pending] = _messages(harness)
    assert pending.status == "pending"

    harness.advance(minutes=6)  # the lease of the crashed run expires; the step runs again
    [message] = _messages(harness)
    assert message.status == "sent"
    assert provider.calls == [message.uid, message.uid]
    assert [p.name for p in harness.outbox.glob("*.eml")] == [f"{message.uid}.eml"]
    assert harness.sent_steps(BOB) == ["welcome/welcome"]


def test_a_provider_outage_delays_the_step_and_loses_nothing(flaky_harness) -> None:
    harness, provider = flaky_harness(lambda call: "before" if call <= 2 else None)
    harness.emit(BOB, "subscribed")
    assert harness.sent_steps(BOB) == []
    harness.advance(days=3)
    assert harness.sent_steps(BOB) == ["welcome/welcome", "welcome/getting-started"]
    assert len(set(provider.calls)) == 2


def test_a_template_error_fails_the_step_at_once_and_a_retry_sends_it_once_fixed(
    tmp_path: Path, nurture_clock: ManualClock, nurture_workspace: Path, nurture_templates: Path
) -> None:
    from nurture.engine.failures import list_failures, retry_failures

    templates = tmp_path / "templates"
    shutil.copytree(nurture_templates, templates)
    # lint cannot know which attributes a contact has: this one fails only at send time
    original = (templates / "welcome.html").read_text()
    (templates / "welcome.html").write_text("<p>Hi {{ contact.attributes.nickname.upper() }}</p>")
    harness = make_harness(tmp_path, nurture_clock, nurture_workspace, templates)
    harness.emit(BOB, "subscribed")
    [failed] = _messages(harness)
    assert failed.status == "failed"
    assert "nickname" in (failed.error or "")
    [failure] = list_failures(harness.runtime)
    assert (failure.status, failure.step, failure.attempts) == ("failed", "welcome", 1)
    harness.advance(days=2)
    assert harness.sent_steps(BOB) == []  # the journey stopped on its failed step

    (templates / "welcome.html").write_text(original)
    harness.runtime.templates = type(harness.runtime.templates)(templates)
    assert retry_failures(harness.runtime, [failure.id]) == 1
    harness.run_due()
    assert harness.sent_steps(BOB) == ["welcome/welcome"]
    assert [m.uid for m in _messages(harness)] == [failed.uid]  # the same message, sent now


def test_every_email_carries_the_trace_headers_and_one_click_unsubscribe(nurture: Harness) -> None:
    from email import message_from_bytes, policy

    nurture.contact(BOB, first_name="<script>alert(1)</script>")
    nurture.emit(BOB, "subscribed")
    [message] = _messages(nurture)
    email = message_from_bytes(
        (nurture.outbox / f"{message.uid}.eml").read_bytes(), policy=policy.default
    )
    assert email["X-Nurture-Journey"] == "welcome"
    assert email["X-Nurture-Step"] == "welcome"
    assert email["X-Nurture-Message-Id"] == message.uid
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["List-Unsubscribe"].startswith("<http://localhost:8000/u/")
    html = email.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    token = email["List-Unsubscribe"][len("<http://localhost:8000/u/") : -1]
    assert nurture.runtime.links.read_unsubscribe(token) == message.uid
    assert nurture.runtime.links.read_unsubscribe(token[:-2] + "xx") is None


def _due_together(harness: Harness, emails: list[str]) -> None:
    """Contacts whose first email falls due at the same moment: one tick runs them together."""
    for email in emails:
        harness.contact(email)
    with harness.runtime.sessions.begin() as session:
        for email in emails:
            contact = find_contact(session, email)
            assert contact is not None
            enroll(session, contact, harness.runtime.workspace.journey("welcome"), harness.now())


def test_a_failed_delivery_in_a_batch_holds_back_no_other(flaky_harness) -> None:
    harness, provider = flaky_harness(lambda call: "before" if call == 2 else None)
    people = ["ana@acme.com", BOB, "cid@acme.com"]
    _due_together(harness, people)
    harness.run_due()
    assert [harness.sent_steps(p) for p in people] == [["welcome/welcome"], [], ["welcome/welcome"]]

    harness.advance(minutes=6)  # Bob's lease expires and his step runs again
    assert [harness.sent_steps(p) for p in people] == [["welcome/welcome"]] * 3
    messages = _messages(harness)
    assert len(messages) == 3
    bob = next(m.uid for m in messages if m.idempotency_key.startswith("enrollment:2:"))
    assert sorted(provider.calls) == sorted([*(m.uid for m in messages), bob])


def test_a_batch_that_breaks_runs_its_enrollments_one_by_one(
    nurture: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nurture.engine.send import core

    check_send = core.check_send

    def broken_for_bob(rt, history, contact, journey, now, key=None):
        if contact.email == BOB:
            raise RuntimeError("a bug that only Bob's data reaches")
        return check_send(rt, history, contact, journey, now, key)

    monkeypatch.setattr(core, "check_send", broken_for_bob)
    people = ["ana@acme.com", BOB, "cid@acme.com"]
    _due_together(nurture, people)
    nurture.run_due()
    assert [nurture.sent_steps(p) for p in people] == [["welcome/welcome"], [], ["welcome/welcome"]]

    monkeypatch.setattr(core, "check_send", check_send)  # the fix is deployed
    nurture.advance(minutes=6)
    assert [nurture.sent_steps(p) for p in people] == [["welcome/welcome"]] * 3
    assert len(_messages(nurture)) == 3
