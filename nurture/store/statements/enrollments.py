"""Statements of the enrollments aggregate."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_E = models.Enrollment

OF_CONTACTS = select(_E.__table__).where(
    _E.contact_id.in_(bindparam("contact_ids", expanding=True))
)
"""Every enrollment of the contacts, whole rows in the table's order (intake orders them by
id itself: an ORDER BY here lets SQLite walk the whole table in id order)."""
