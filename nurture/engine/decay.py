"""Decay: contacts whose score time alone changes get their ledger brought up to date.

Each contact carries ``decay_due_at`` (the next inactivity period or decay step, from
:meth:`ScoreBook.next_due`). It is one of the due indexes contacts are claimed by, so decay
runs under the contact's claim, at its due time, with the contact's other due work
(engine/upkeep.py).
"""

from __future__ import annotations

from datetime import datetime

from nurture.engine.intake.changes import Changes
from nurture.engine.intake.core import react, write_rows
from nurture.engine.intake.records import ContactRow
from nurture.engine.intake.state import WorkingSet
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import keep_in_step


def catch_up(
    rt: Runtime, ws: WorkingSet, changes: Changes, contact: ContactRow, now: datetime
) -> None:
    """Apply the decay and inactivity due at ``now`` to the contact.

    A move of band lets the journeys react (one may exit on a cold band, another enter).
    """
    band = contact.band
    book = ws.books[contact.email]
    rows = book.catch_up(now)
    write_rows(changes, contact, rows)
    keep_in_step(book, contact, rt.workspace.scoring)
    changes.touched(contact)
    if sum(row.points for row in rows):
        contact.updated_at = now
        if contact.band != band:
            react(rt, ws, changes, contact, now)
