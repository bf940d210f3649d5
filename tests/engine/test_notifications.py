"""The notifications sweep records an attempt's outcome only while its claim holds."""

from __future__ import annotations

from sqlalchemy import select, update

from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.memory import MemoryProvider
from nurture.engine.notifications import deliver_due
from nurture.store import models
from nurture.testing import Harness

N = models.Notification


def test_an_outcome_is_not_recorded_once_another_sweep_holds_the_notification(
    nurture: Harness,
) -> None:
    nurture.contact("ana@acme.com")
    now = nurture.now()
    with nurture.runtime.sessions.begin() as session:
        contact = session.scalars(select(models.Contact)).one()
        handoff = models.Handoff(
            contact_id=contact.id, owner="rep@acme.com", sla_due_at=now, created_at=now
        )
        session.add(handoff)
        session.flush()
        for to in ("slow@acme.com", "rep@acme.com"):
            session.add(
                N(
                    handoff_id=handoff.id,
                    channel="email",
                    target=to,
                    payload={"subject": "s", "lines": ["l"]},
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    engine = nurture.runtime.engine

    class Slow(MemoryProvider):
        """So slow that the lease of the first email expires and another sweep claims it."""

        def send(self, email: OutgoingEmail) -> str:
            if email.to == "slow@acme.com":
                with engine.begin() as connection:
                    connection.execute(
                        update(N).where(N.target == email.to).values(lease_owner="another")
                    )
            return super().send(email)

    nurture.runtime.provider = Slow()
    assert deliver_due(nurture.runtime, now) == 1
    with engine.connect() as connection:
        rows = connection.execute(
            select(N.target, N.status, N.attempts, N.lease_owner).order_by(N.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("slow@acme.com", "pending", 0, "another"),
        ("rep@acme.com", "delivered", 1, None),
    ]
