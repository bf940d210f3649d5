"""Write score changes to the ledger and keep the contact's score, band and grade in step."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS, Profile
from nurture.domain.events import Event
from nurture.domain.scorebook import Row, ScoreBook
from nurture.domain.scoring import Award, ScoringModel
from nurture.engine.facts import Executor
from nurture.engine.runtime import Runtime
from nurture.store import models
from nurture.store.statements.ledger import BOOK_ROWS, FIT_SUMS_OF_CONTACT


class Scored(Protocol):
    """A contact as scoring reads and keeps it: an ORM row or intake's record."""

    id: Any
    score: int
    band: str
    last_active_at: datetime | None
    scored_until: datetime | None
    decay_due_at: datetime | None


def profile_of(contact: Any) -> Profile:
    """The domain's profile of a contact (an ORM row or intake's record)."""
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
    have = dict(session.execute(FIT_SUMS_OF_CONTACT, {"contact_id": contact.id}).all())
    awards, grade = fit_corrections(rt.workspace.scoring, profile_of(contact), have)
    record_awards(session, contact, awards, "fit", now)
    contact.grade = grade
    contact.band = rt.workspace.scoring.band(contact.score)


def fit_corrections(
    model: ScoringModel, profile: Profile, have: Mapping[str, int | None]
) -> tuple[list[Award], str]:
    """The fit rows that bring each rule's sum (``have``) to what it gives ``profile`` today,
    and the grade of that fit."""
    wanted = model.fit_points(profile)
    awards = []
    for rule in model.fit:
        delta = wanted[rule.id] - int(have.get(rule.id) or 0)
        if delta:
            reason = f"fit: {rule.describe()}"
            if delta < 0 and wanted[rule.id] == 0:
                reason = f"fit no longer holds: {rule.describe()}"
            awards.append(Award(rule.id, delta, reason))
    return awards, model.grade(sum(wanted.values()))


def load_book(session: Session, contact: models.Contact, model: ScoringModel) -> ScoreBook:
    """The contact's behaviour, decay and inactivity rows since its last reset."""
    return load_books(session, [contact], model)[contact.id]


def load_books(
    executor: Executor, contacts: Collection[Scored], model: ScoringModel
) -> dict[int, ScoreBook]:
    """:func:`load_book` of many contacts in two queries (an intake chunk scores them all);
    ``executor`` is a Session or a Connection, the contacts ORM rows or intake's records."""
    ids = [contact.id for contact in contacts if contact.id is not None]
    rows: dict[int, list[Row]] = {id_: [] for id_ in ids}
    for e in executor.execute(
        BOOK_ROWS, {"contact_ids": ids}
    ):  # in id order: a reset clears the rest
        if e.kind == "reset":
            rows[e.contact_id] = []
        else:
            rows[e.contact_id].append(Row(e.rule, e.kind, e.points, e.reason, e.at))
    return {
        id_: ScoreBook(model, rows[id_], contact.last_active_at, contact.scored_until)
        for contact in contacts
        if (id_ := contact.id) is not None
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


def keep_in_step(book: ScoreBook, contact: Scored, model: ScoringModel) -> None:
    """The contact's columns that follow its book: activity, how far time was applied, when
    time next changes the score, and the band of its score."""
    contact.last_active_at = book.last_activity
    contact.scored_until = book.scored_until
    contact.decay_due_at = book.next_due()
    contact.band = model.band(contact.score)


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
    keep_in_step(book, contact, rt.workspace.scoring)
    return sum(row.points for row in rows if row.kind == "behaviour")


def reset_behaviour(
    rt: Runtime, session: Session, contact: models.Contact, at: datetime, reason: str
) -> None:
    """Cancel the behaviour points (fit stays): a recycled contact earns its way back."""
    book = load_book(session, contact, rt.workspace.scoring)
    write_rows(session, contact, book.reset(at, reason))
    keep_in_step(book, contact, rt.workspace.scoring)
