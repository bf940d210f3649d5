"""Addresses that must receive nothing more: once stored, a suppression wins over every send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.store import models


def is_suppressed(session: Session, email: str) -> bool:
    found = session.scalar(select(models.Suppression.id).where(models.Suppression.email == email))
    return found is not None


def suppress(
    session: Session, email: str, reason: str, at: datetime, event: models.Event | None = None
) -> None:
    """Record the first reason an address was suppressed; later ones change nothing."""
    if not is_suppressed(session, email):
        session.add(models.Suppression(email=email, reason=reason, event=event, created_at=at))
        session.flush()


def lift(session: Session, email: str, reasons: tuple[str, ...] = ("unsubscribed",)) -> bool:
    """Remove a suppression the contact itself can undo (a resubscribe); bounces stay."""
    row = session.scalars(
        select(models.Suppression).where(
            models.Suppression.email == email, models.Suppression.reason.in_(reasons)
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
