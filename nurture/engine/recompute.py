"""Replay every contact's events through the current scoring model (after a model change).

The ledger is rewritten from the events, the recycle resets of the stage history and the
profile, through the same :class:`ScoreBook` live scoring uses: the result is what live
scoring of the same events under this model gives. Stages still only move forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain.events import Event
from nurture.domain.scorebook import Row, replay
from nurture.engine.journeys import react
from nurture.engine.lifecycle import apply_lifecycle
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of, write_rows
from nurture.store import models
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements.events import EVENTS_OF
from nurture.store.statements.ledger import CLEAR_OF
from nurture.store.statements.stage_history import RECYCLES_OF

BATCH = 200


@dataclass(frozen=True)
class Recomputed:
    contacts: int
    changed: int


def recompute(rt: Runtime, now: datetime | None = None) -> Recomputed:
    now = now or rt.clock.now()
    seen = changed = 0
    after = 0
    while True:
        with rt.sessions.begin() as session:
            contacts = session.scalars(
                contact_statements.AFTER_ID, {"after": after, "limit": BATCH}
            ).all()
            if not contacts:
                return Recomputed(seen, changed)
            for contact in contacts:
                before = contact.score
                rescore(rt, session, contact, now)
                seen += 1
                changed += contact.score != before
            after = contacts[-1].id


def rescore(rt: Runtime, session: Session, contact: models.Contact, now: datetime) -> None:
    """Rewrite one contact's ledger from its history, then apply forward stage moves."""
    model = rt.workspace.scoring
    events = session.scalars(EVENTS_OF, {"contact_id": contact.id}).all()
    resets = session.execute(RECYCLES_OF, {"contact_id": contact.id}).all()
    rows, book = replay(
        model,
        ((e, Event(e.type, e.occurred_at, e.properties)) for e in events),
        ((at, f"recycled: {cause}") for at, cause in resets),
        now,
    )
    fit = [
        Row(rule.id, "fit", points, f"fit: {rule.describe()}", contact.created_at)
        for rule in model.fit
        if (points := model.fit_points(profile_of(contact))[rule.id])
    ]
    session.execute(CLEAR_OF, {"contact_id": contact.id})
    contact.score = 0
    write_rows(session, contact, sorted([*fit, *rows], key=lambda r: r.at))
    contact.last_active_at = book.last_activity
    contact.scored_until = book.scored_until
    contact.decay_due_at = book.next_due()
    contact.band = model.band(contact.score)
    contact.grade = model.grade(sum(r.points for r in fit))
    apply_lifecycle(rt, session, contact, now)
    react(rt, session, contact, now)
