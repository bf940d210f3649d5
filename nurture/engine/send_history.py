"""What the send rules read about the contacts of a round, fetched for all of them at once.

A batch run (engine/execute.run_batch) asks, before each email, whether the address is
suppressed, how many soft bounces in a row it has had and what it was sent lately: one query
per table for the round's contacts instead of three per email. It stays true for the whole
round because a contact has at most one email per round, and a suppression the rules add
themselves is noted here as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nurture.store import models

SOFT_BOUNCE_LIMIT = 3
"""Soft bounces in a row (no delivery between them) after which an address is suppressed."""


class SendHistory:
    def __init__(
        self, session: Session, contacts: Collection[models.Contact], sent_since: datetime | None
    ) -> None:
        ids = [contact.id for contact in contacts]
        emails = [contact.email for contact in contacts]
        self.suppressed = set(
            session.scalars(
                select(models.Suppression.email).where(models.Suppression.email.in_(emails))
            )
        )
        self._bounces = _soft_bounces_in_a_row(session, ids)
        self._sent = _sent_since(session, ids, sent_since) if sent_since is not None else {}

    def soft_bounces_in_a_row(self, contact_id: int) -> int:
        return self._bounces.get(contact_id, 0)

    def sent(self, contact_id: int) -> list[datetime]:
        """When the contact was sent email since ``sent_since`` (the cap's period)."""
        return self._sent.get(contact_id, [])


def _soft_bounces_in_a_row(session: Session, contact_ids: list[int]) -> dict[int, int]:
    """The soft bounces at the head of each contact's latest bounces and deliveries."""
    E = models.Event
    position = (
        func.row_number()
        .over(partition_by=E.contact_id, order_by=(E.occurred_at.desc(), E.id.desc()))
        .label("position")
    )
    latest = (
        select(E.contact_id, E.type, E.properties, position)
        .where(E.contact_id.in_(contact_ids), E.type.in_(("email_bounced", "email_delivered")))
        .subquery()
    )
    rows = session.execute(
        select(latest.c.contact_id, latest.c.type, latest.c.properties)
        .where(latest.c.position <= SOFT_BOUNCE_LIMIT)
        .order_by(latest.c.contact_id, latest.c.position)
    )
    counts: dict[int, int] = {}
    broken: set[int] = set()
    for contact_id, kind, properties in rows:
        if contact_id in broken:
            continue
        if kind != "email_bounced" or properties.get("bounce_type") != "soft":
            broken.add(contact_id)
            continue
        counts[contact_id] = counts.get(contact_id, 0) + 1
    return counts


def _sent_since(
    session: Session, contact_ids: list[int], since: datetime
) -> dict[int, list[datetime]]:
    M = models.Message
    sent: dict[int, list[datetime]] = defaultdict(list)
    rows = session.execute(
        select(M.contact_id, M.sent_at).where(
            M.contact_id.in_(contact_ids), M.status == "sent", M.sent_at > since
        )
    )
    for contact_id, at in rows:
        if at is not None:
            sent[contact_id].append(at)
    return sent
