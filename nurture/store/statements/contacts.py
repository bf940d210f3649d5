"""Statements of the contacts aggregate."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_C = models.Contact

OF_EMAILS = select(_C.__table__).where(_C.email.in_(bindparam("emails", expanding=True)))
"""Whole rows, columns in the table's order (intake's records are built from them)."""
