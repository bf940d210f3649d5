"""The decay sweep: contacts whose score time alone changes get their ledger brought up to date.

Each contact carries ``decay_due_at`` (the next inactivity period or decay step, from
:meth:`ScoreBook.next_due`), so the sweep is an index read and runs at every tick.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from nurture.engine.journeys import react
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import catch_up
from nurture.store import models

BATCH = 500


def next_decay(rt: Runtime) -> datetime | None:
    C = models.Contact
    with rt.sessions() as session:
        return session.scalars(
            select(C.decay_due_at)
            .where(C.decay_due_at.is_not(None))
            .order_by(C.decay_due_at)
            .limit(1)
        ).first()


def sweep(rt: Runtime, now: datetime) -> int:
    """Apply decay and inactivity due at ``now``; return how many scores changed."""
    C = models.Contact
    changed = 0
    while True:
        with rt.sessions.begin() as session:
            contacts = session.scalars(
                select(C)
                .where(C.decay_due_at <= now)
                .order_by(C.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if not contacts:
                return changed
            for contact in contacts:
                band = contact.band
                if catch_up(rt, session, contact, now):
                    changed += 1
                    contact.updated_at = now
                    if contact.band != band:
                        react(rt, session, contact, now)
