"""Statements of the suppressions aggregate that intake runs (a send reads them in messages)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select

from nurture.store import models

_X = models.Suppression

OF_EMAILS = select(_X.id, _X.email, _X.reason).where(
    _X.email.in_(bindparam("emails", expanding=True))
)
DELETE = delete(_X).where(_X.id == bindparam("id"))
