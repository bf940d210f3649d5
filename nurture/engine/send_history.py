"""What the send rules read about the contacts of a round, fetched for all of them at once.

A send round (engine/send/state.py) asks, before each email, whether the address is
suppressed, how many soft bounces in a row it has had and what it was sent lately: one query
per table for the round's contacts instead of three per email. It stays true for the whole
round because a contact has at most one email per round, and a suppression the rules add
themselves is noted here as well. The cap counts pending messages with the sent ones: an
email in flight is an email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from nurture.store.converted import read_all
from nurture.store.statements.messages import (
    COUNTED_BY_CAP,
    LATEST_BOUNCES,
    SOFT_BOUNCE_LIMIT,
    SUPPRESSED,
)

__all__ = ["SOFT_BOUNCE_LIMIT", "SendHistory"]


class SendHistory:
    def __init__(
        self, connection: Connection, contacts: Collection[Any], sent_since: datetime | None
    ) -> None:
        """``contacts``: records or rows with an ``id`` and an ``email``."""
        ids = [contact.id for contact in contacts]
        self.suppressed: set[str] = set()
        self._bounces: dict[int, int] = {}
        self._sent: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        if not ids:
            return
        emails = [contact.email for contact in contacts]
        self.suppressed = {
            email for (email,) in read_all(connection, SUPPRESSED, {"emails": emails})
        }
        self._bounces = _soft_bounces_in_a_row(connection, ids)
        if sent_since is not None:
            rows = read_all(connection, COUNTED_BY_CAP, {"contact_ids": ids, "since": sent_since})
            for contact_id, at, key in rows:
                self._sent[contact_id].append((at, key))

    def soft_bounces_in_a_row(self, contact_id: int) -> int:
        return self._bounces.get(contact_id, 0)

    def sent(self, contact_id: int, besides: str | None = None) -> list[datetime]:
        """When the contact was sent email since ``sent_since`` (the cap's period), counting
        a pending message at its creation, except the message keyed ``besides`` (the one
        being judged: a retry finds its own pending row)."""
        return [at for at, key in self._sent.get(contact_id, []) if key != besides]


def _soft_bounces_in_a_row(connection: Connection, contact_ids: list[int]) -> dict[int, int]:
    """The soft bounces at the head of each contact's latest bounces and deliveries."""
    counts: dict[int, int] = {}
    broken: set[int] = set()
    for contact_id, kind, properties in read_all(
        connection, LATEST_BOUNCES, {"contact_ids": contact_ids}
    ):
        if contact_id in broken:
            continue
        if kind != "email_bounced" or properties.get("bounce_type") != "soft":
            broken.add(contact_id)
            continue
        counts[contact_id] = counts.get(contact_id, 0) + 1
    return counts
