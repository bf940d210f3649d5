"""Statements of the suppressions aggregate that intake runs (a send reads them in messages)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select, update

from nurture.store import models
from nurture.store.statements.lists import in_list

_X = models.Suppression

OF_EMAIL = select(_X).where(_X.email == bindparam("email"))
"""The suppression of one address, if any (ORM row)."""

ID_OF_EMAIL = select(_X.id).where(_X.email == bindparam("email"))
"""Whether an address is suppressed, without loading the row."""

OF_EMAILS = select(_X.id, _X.email, _X.reason).where(in_list(_X.email, "emails"))
DELETE = delete(_X).where(_X.id == bindparam("id"))
REPLACE_REASON = (
    update(_X)
    .where(_X.id == bindparam("suppression_id"))
    .values(
        reason=bindparam("new_reason"),
        event_id=bindparam("new_event_id"),
        created_at=bindparam("new_created_at"),
    )
)
"""A reason the contact cannot undo takes the place of one it can (engine/suppression.py)."""
