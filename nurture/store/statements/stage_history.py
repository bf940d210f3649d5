"""Statements of a contact's stage history (``stage_changes``): what it reads back."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_SC = models.StageChange


STAGES_OF = select(_SC).where(_SC.contact_id == bindparam("contact_id")).order_by(_SC.at, _SC.id)
"""A contact's stage history, oldest first (ORM rows)."""


RECYCLES_OF = (
    select(_SC.at, _SC.cause)
    .where(_SC.contact_id == bindparam("contact_id"), _SC.to_stage == "recycled")
    .order_by(_SC.at)
)
"""When a contact was recycled, and why: each recycle resets its score book."""
