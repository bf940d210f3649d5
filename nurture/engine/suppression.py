"""Addresses that must receive nothing more: once stored, a suppression wins over every send.

An address has at most one suppression, with the reason that governs it. Only a reason in
:data:`LIFTABLE` (the contact's own unsubscribe) can be undone by the contact subscribing again;
a spam complaint, a hard bounce and repeated soft bounces stay until an operator acts. A reason
that cannot be undone replaces one that can (a complaint after an unsubscribe), so that a later
"subscribe again" never lifts it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from nurture.store import models
from nurture.store.statements import suppressions as statements

LIFTABLE = frozenset({"unsubscribed"})
"""Reasons the contact may undo by subscribing again (preferences page, a provider's resubscribe)."""


def find_suppression(session: Session, email: str) -> models.Suppression | None:
    return session.scalars(statements.OF_EMAIL, {"email": email}).first()


def is_suppressed(session: Session, email: str) -> bool:
    return session.scalar(statements.ID_OF_EMAIL, {"email": email}) is not None


def suppress(
    session: Session, email: str, reason: str, at: datetime, event: models.Event | None = None
) -> None:
    """Suppress ``email``; a reason the contact cannot undo replaces one it can."""
    row = find_suppression(session, email)
    if row is None:
        session.add(models.Suppression(email=email, reason=reason, event=event, created_at=at))
    elif row.reason in LIFTABLE and reason not in LIFTABLE:
        row.reason, row.event, row.created_at = reason, event, at
    else:
        return
    session.flush()


def lift(session: Session, email: str) -> bool:
    """Remove a suppression the contact itself can undo (a resubscribe); others stay."""
    row = find_suppression(session, email)
    if row is None or row.reason not in LIFTABLE:
        return False
    session.delete(row)
    session.flush()
    return True
