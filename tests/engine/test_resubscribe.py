"""A resubscribe undoes the contact's own unsubscribe, never a bounce or a complaint."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nurture.store import models


def _reasons(nurture) -> list[str]:
    with nurture.runtime.sessions() as session:
        return list(session.scalars(select(models.Suppression.reason)))


def test_resubscribe_lifts_an_unsubscribe(nurture) -> None:
    nurture.emit("ana@acme.com", "unsubscribed")
    assert _reasons(nurture) == ["unsubscribed"]
    nurture.advance(hours=1)
    nurture.emit("ana@acme.com", "resubscribed")
    assert _reasons(nurture) == []


def test_resubscribe_keeps_a_hard_bounce(nurture) -> None:
    nurture.emit("bo@acme.com", "email_bounced", bounce_type="hard")
    nurture.advance(hours=1)
    nurture.emit("bo@acme.com", "resubscribed")
    assert _reasons(nurture) == ["hard_bounce"]


def test_resubscribe_keeps_a_complaint(nurture) -> None:
    nurture.emit("cy@acme.com", "spam_reported")
    nurture.advance(hours=1)
    nurture.emit("cy@acme.com", "resubscribed")
    assert _reasons(nurture) == ["complaint"]


@pytest.mark.parametrize(
    ("event", "properties", "reason"),
    [
        ("spam_reported", {}, "complaint"),
        ("email_bounced", {"bounce_type": "hard"}, "hard_bounce"),
    ],
)
def test_a_complaint_or_hard_bounce_after_an_unsubscribe_is_not_lifted_with_it(
    nurture, event: str, properties: dict[str, str], reason: str
) -> None:
    nurture.emit("di@acme.com", "unsubscribed")
    nurture.advance(hours=1)
    nurture.emit("di@acme.com", event, **properties)
    assert _reasons(nurture) == [reason]
    nurture.advance(hours=1)
    nurture.emit("di@acme.com", "resubscribed")
    assert _reasons(nurture) == [reason]


def test_an_unsubscribe_after_a_bounce_keeps_the_bounce(nurture) -> None:
    nurture.emit("ed@acme.com", "email_bounced", bounce_type="hard")
    nurture.advance(hours=1)
    nurture.emit("ed@acme.com", "unsubscribed")
    nurture.emit("ed@acme.com", "resubscribed")
    assert _reasons(nurture) == ["hard_bounce"]
