"""Statements of the contacts aggregate."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from nurture.store import models

_C = models.Contact

OF_EMAILS = select(_C.__table__).where(_C.email.in_(bindparam("emails", expanding=True)))
"""Whole rows, columns in the table's order (intake's records are built from them)."""

_H = models.StageChange

MOVE_CREATION = (
    update(_H)
    .where(
        _H.contact_id == bindparam("_contact_id"),
        _H.cause == "created",
        _H.at == bindparam("_first"),
    )
    .values(at=bindparam("_moment"))
)
"""A backfilled contact's "created" history row follows its creation back in time."""
