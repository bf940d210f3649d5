"""Unsubscribe and the preferences page: idempotent, and truthful after every action.

Ana subscribes, gets the welcome email, and uses its unsubscribe link: the one-click POST a
mail client sends, and the preferences page's buttons.
"""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import select

from nurture.engine import tracking
from nurture.store import models

ANA = "ana@acme.com"
ONE_CLICK = {
    "content": b"List-Unsubscribe=One-Click",
    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
}


def link(app) -> str:
    """The preferences path of Ana's welcome email (its List-Unsubscribe URL)."""
    app.harness.emit(ANA, "subscribed")
    return welcome(app)["List-Unsubscribe"].strip("<>").removeprefix("http://localhost:8000")


def welcome(app) -> email.message.EmailMessage:
    [path] = sorted(app.harness.outbox.glob("*.eml"))
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def events(app, kind: str) -> list[models.Event]:
    with app.harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Event).where(models.Event.type == kind)))


def ledger(app, rule: str) -> list[int]:
    with app.harness.runtime.sessions() as session:
        return list(
            session.scalars(select(models.ScoreEntry.points).where(models.ScoreEntry.rule == rule))
        )


def reasons(app) -> list[str]:
    with app.harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Suppression.reason)))


def test_repeated_one_click_posts_unsubscribe_once(app) -> None:
    url = link(app)
    before = app.harness.score(ANA)
    for _ in range(3):  # a mail client retrying, a second apart
        response = app.client.post(url, **ONE_CLICK)
        assert response.status_code == 200
        assert "is unsubscribed" in response.text
        app.harness.advance(seconds=1)
    assert len(events(app, "unsubscribed")) == 1
    assert ledger(app, "unsubscribe") == [-20]
    assert app.harness.score(ANA) == before - 20
    assert reasons(app) == ["unsubscribed"]


def test_repeated_subscribe_again_resubscribes_once(app) -> None:
    url = link(app)
    app.client.post(url, **ONE_CLICK)
    for _ in range(3):
        page = app.client.post(url + "/resubscribe")
        assert "a***@acme.com receives emails from Acme Marketing" in page.text
        app.harness.advance(seconds=1)
    assert len(events(app, "resubscribed")) == 1
    assert reasons(app) == []

    # A new decision is a new event: unsubscribing again after subscribing again counts.
    app.client.post(url, **ONE_CLICK)
    app.client.post(url, **ONE_CLICK)
    assert len(events(app, "unsubscribed")) == 2
    assert ledger(app, "unsubscribe") == [-20, -20]


def test_requests_racing_past_the_check_store_one_event(app, monkeypatch) -> None:
    url = link(app)
    sent = tracking.find_message(app.harness.runtime, welcome(app)["X-Nurture-Message-Id"])
    assert sent is not None
    # Both requests saw "not suppressed" before either stored its event.
    monkeypatch.setattr(tracking, "find_suppression", lambda session, email: None)
    first = tracking.unsubscribe(app.harness.runtime, sent, "one-click")
    app.harness.advance(seconds=2)
    second = tracking.unsubscribe(app.harness.runtime, sent, "one-click")
    assert (first.duplicate, second.duplicate) == (False, True)
    assert len(events(app, "unsubscribed")) == 1
    monkeypatch.undo()
    assert "is unsubscribed" in app.client.get(url).text


@pytest.mark.parametrize(
    ("event", "properties", "why"),
    [
        ("spam_reported", {}, "an email we sent was reported as spam from this address"),
        ("email_bounced", {"bounce_type": "hard"}, "emails to this address could not be delivered"),
    ],
)
def test_subscribe_again_cannot_lift_a_complaint_or_a_hard_bounce_and_the_page_says_so(
    app, event: str, properties: dict[str, str], why: str
) -> None:
    url = link(app)
    app.client.post(url, **ONE_CLICK)
    app.harness.emit(ANA, event, **properties)  # after the unsubscribe: it now governs
    expected = f"a***@acme.com receives no emails from Acme Marketing: {why}."

    page = app.client.get(url).text
    assert expected in page
    assert "Subscribe again" not in page
    for _ in range(2):  # a stale page's button, or a forged post
        assert expected in app.client.post(url + "/resubscribe").text
    assert expected in app.client.get(url).text  # a reload tells the same
    assert events(app, "resubscribed") == []
    assert reasons(app) != []


def test_one_click_on_an_address_that_already_bounced_records_nothing(app) -> None:
    url = link(app)
    app.harness.emit(ANA, "email_bounced", bounce_type="hard")
    page = app.client.post(url, **ONE_CLICK)
    assert "could not be delivered" in page.text
    assert events(app, "unsubscribed") == []
    assert reasons(app) == ["hard_bounce"]


def test_the_page_changes_nothing_until_asked(app) -> None:
    url = link(app)
    for _ in range(2):
        page = app.client.get(url)
        assert "a***@acme.com receives emails" in page.text
        assert "Unsubscribe from all emails" in page.text
    assert events(app, "unsubscribed") == []
    assert reasons(app) == []
