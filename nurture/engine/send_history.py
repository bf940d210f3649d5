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

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from nurture.store import models

SOFT_BOUNCE_LIMIT = 3
"""Soft bounces in a row (no delivery between them) after which an address is suppressed."""


_S, _E, _M = models.Suppression, models.Event, models.Message
_CONTACTS: BindParameter[list[int]] = bindparam("contact_ids", expanding=True)
# Built once: SQLAlchemy then reuses the compiled SQL whatever the round's size.
_SUPPRESSED = select(_S.email).where(_S.email.in_(bindparam("emails", expanding=True)))
_LATEST_BOUNCES = (
    select(
        _E.contact_id,
        _E.type,
        _E.properties,
        func.row_number()
        .over(partition_by=_E.contact_id, order_by=(_E.occurred_at.desc(), _E.id.desc()))
        .label("position"),
    )
    .where(_E.contact_id.in_(_CONTACTS), _E.type.in_(("email_bounced", "email_delivered")))
    .subquery()
)
_BOUNCES = (
    select(_LATEST_BOUNCES.c.contact_id, _LATEST_BOUNCES.c.type, _LATEST_BOUNCES.c.properties)
    .where(_LATEST_BOUNCES.c.position <= SOFT_BOUNCE_LIMIT)
    .order_by(_LATEST_BOUNCES.c.contact_id, _LATEST_BOUNCES.c.position)
)
_SENT = select(_M.contact_id, _M.sent_at).where(
    _M.contact_id.in_(_CONTACTS), _M.status == "sent", _M.sent_at > bindparam("since")
)


class SendHistory:
    def __init__(
        self, session: Session, contacts: Collection[models.Contact], sent_since: datetime | None
    ) -> None:
        ids = [contact.id for contact in contacts]
        self.suppressed = set(
            session.scalars(_SUPPRESSED, {"emails": [contact.email for contact in contacts]})
        )
        self._bounces = _soft_bounces_in_a_row(session, ids)
        self._sent: dict[int, list[datetime]] = defaultdict(list)
        if sent_since is not None:
            for contact_id, at in session.execute(_SENT, {"contact_ids": ids, "since": sent_since}):
                if at is not None:
                    self._sent[contact_id].append(at)

    def soft_bounces_in_a_row(self, contact_id: int) -> int:
        return self._bounces.get(contact_id, 0)

    def sent(self, contact_id: int) -> list[datetime]:
        """When the contact was sent email since ``sent_since`` (the cap's period)."""
        return self._sent.get(contact_id, [])


def _soft_bounces_in_a_row(session: Session, contact_ids: list[int]) -> dict[int, int]:
    """The soft bounces at the head of each contact's latest bounces and deliveries."""
    counts: dict[int, int] = {}
    broken: set[int] = set()
    for contact_id, kind, properties in session.execute(_BOUNCES, {"contact_ids": contact_ids}):
        if contact_id in broken:
            continue
        if kind != "email_bounced" or properties.get("bounce_type") != "soft":
            broken.add(contact_id)
            continue
        counts[contact_id] = counts.get(contact_id, 0) + 1
    return counts
