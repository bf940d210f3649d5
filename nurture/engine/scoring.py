"""Write score changes to the ledger and keep the contact's score, band and grade in step."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS, Profile
from nurture.domain.events import Event
from nurture.domain.scorebook import NON_FIT, Row, ScoreBook
from nurture.domain.scoring import Award, ScoringModel
from nurture.engine.runtime import Runtime
from nurture.store import models


def profile_of(contact: models.Contact) -> Profile:
    fields = {name: getattr(contact, name) for name in PROFILE_FIELDS}
    return Profile(**fields, attributes=contact.attributes)


def record_awards(
    session: Session,
    contact: models.Contact,
    awards: list[Award],
    kind: str,
    now: datetime,
    event_id: int | None = None,
) -> None:
    for award in awards:
        if award.points == 0:
            continue
        session.add(
            models.ScoreEntry(
                contact_id=contact.id,
                rule=award.rule,
                kind=kind,
                points=award.points,
                reason=award.reason,
                event_id=event_id,
                at=now,
            )
        )
        contact.score += award.points


def refresh_fit(rt: Runtime, session: Session, contact: models.Contact, now: datetime) -> None:
    """Bring the fit rows of the ledger in line with the profile as it is now.

    Each fit rule's ledger rows sum to what the rule gives today, so a changed job title
    adds a correcting row rather than rewriting history.
    """
    model = rt.workspace.scoring
    wanted = model.fit_points(profile_of(contact))
    have = dict(
        session.execute(
            select(models.ScoreEntry.rule, func.sum(models.ScoreEntry.points))
            .where(models.ScoreEntry.contact_id == contact.id, models.ScoreEntry.kind == "fit")
            .group_by(models.ScoreEntry.rule)
        ).all()
    )
    awards = []
    for rule in model.fit:
        delta = wanted[rule.id] - int(have.get(rule.id) or 0)
        if delta:
            reason = f"fit: {rule.describe()}"
            if delta < 0 and wanted[rule.id] == 0:
                reason = f"fit no longer holds: {rule.describe()}"
            awards.append(Award(rule.id, delta, reason))
    record_awards(session, contact, awards, "fit", now)
    contact.grade = model.grade(sum(wanted.values()))
    contact.band = model.band(contact.score)


def load_book(session: Session, contact: models.Contact, model: ScoringModel) -> ScoreBook:
    """The contact's behaviour, decay and inactivity rows since its last reset."""
    return load_books(session, [contact], model)[contact.id]


def load_books(
    session: Session, contacts: Collection[models.Contact], model: ScoringModel
) -> dict[int, ScoreBook]:
    """:func:`load_book` of many contacts in two queries (an ingest chunk scores them all)."""
    S = models.ScoreEntry
    ids = [contact.id for contact in contacts]
    last_reset: dict[int, int] = dict(
        session.execute(
            select(S.contact_id, func.max(S.id))
            .where(S.contact_id.in_(ids), S.kind == "reset")
            .group_by(S.contact_id)
        ).all()
    )
    rows: dict[int, list[Row]] = {id_: [] for id_ in ids}
    for e in session.execute(
        select(S.id, S.contact_id, S.rule, S.kind, S.points, S.reason, S.at)
        .where(S.contact_id.in_(ids), S.kind.in_(NON_FIT))
        .order_by(S.id)
    ):
        if e.id > last_reset.get(e.contact_id, 0):  # stored rows are never written again: no key
            rows[e.contact_id].append(Row(e.rule, e.kind, e.points, e.reason, e.at))
    return {
        contact.id: ScoreBook(model, rows[contact.id], contact.last_active_at, contact.scored_until)
        for contact in contacts
    }


def write_rows(session: Session, contact: models.Contact, rows: list[Row]) -> None:
    for row in rows:
        if row.points == 0:
            continue
        session.add(
            models.ScoreEntry(
                contact_id=contact.id,
                rule=row.rule,
                kind=row.kind,
                points=row.points,
                reason=row.reason,
                event=row.event,
                at=row.at,
            )
        )
        contact.score += row.points


def _keep(book: ScoreBook, contact: models.Contact, rt: Runtime) -> None:
    contact.last_active_at = book.last_activity
    contact.scored_until = book.scored_until
    contact.decay_due_at = book.next_due()
    contact.band = rt.workspace.scoring.band(contact.score)


def score_event(
    rt: Runtime,
    session: Session,
    contact: models.Contact,
    event: Event,
    stored: models.Event,
    book: ScoreBook | None = None,
) -> int:
    """Catch the contact's decay up to the event, then award its rules; return points awarded.

    ``book`` is the contact's book if the caller holds it already (loaded for a chunk of
    events, and kept up to date by this call): it must be what :func:`load_book` returns.
    """
    if book is None:
        book = load_book(session, contact, rt.workspace.scoring)
    rows = book.on_event(event, stored)
    write_rows(session, contact, rows)
    _keep(book, contact, rt)
    return sum(row.points for row in rows if row.kind == "behaviour")


def catch_up(rt: Runtime, session: Session, contact: models.Contact, until: datetime) -> int:
    """Apply decay and inactivity up to ``until``; return the points changed."""
    book = load_book(session, contact, rt.workspace.scoring)
    rows = book.catch_up(until)
    write_rows(session, contact, rows)
    _keep(book, contact, rt)
    return sum(row.points for row in rows)


def reset_behaviour(
    rt: Runtime, session: Session, contact: models.Contact, at: datetime, reason: str
) -> None:
    """Cancel the behaviour points (fit stays): a recycled contact earns its way back."""
    book = load_book(session, contact, rt.workspace.scoring)
    write_rows(session, contact, book.reset(at, reason))
    _keep(book, contact, rt)
