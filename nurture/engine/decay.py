"""Decay: contacts whose score time alone changes get their ledger brought up to date.

Each contact carries ``decay_due_at`` (the next inactivity period or decay step, from
:meth:`ScoreBook.next_due`). It is one of the due indexes contacts are claimed by, so decay
runs under the contact's claim, at its due time, with the contact's other due work.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.engine.journeys import react
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import catch_up
from nurture.store.statements import contacts as statements


def catch_up_claimed(
    rt: Runtime, session: Session, contact_ids: Collection[int], now: datetime
) -> int:
    """Apply the decay and inactivity due at ``now`` to claimed contacts; how many changed."""
    changed = 0
    due = session.scalars(statements.DECAY_DUE, {"contact_ids": list(contact_ids), "now": now})
    for contact in due.all():
        band = contact.band
        if catch_up(rt, session, contact, now):
            changed += 1
            contact.updated_at = now
            if contact.band != band:
                react(rt, session, contact, now)
    return changed
