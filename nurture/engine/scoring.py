"""Write score changes to the ledger and keep the contact's score, band and grade in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS, Profile
from nurture.domain.scoring import Award
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
