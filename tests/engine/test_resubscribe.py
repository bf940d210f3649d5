"""A resubscribe undoes the contact's own unsubscribe, never a bounce or a complaint."""

from __future__ import annotations

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
