"""Statements of the events aggregate: which source ids are stored, and what conditions count."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_E = models.Event

STORED_SOURCE_IDS = select(_E.source_id).where(
    _E.source_id.in_(bindparam("source_ids", expanding=True))
)
"""Which of these source ids are stored already (an event seen again is a duplicate)."""
OF_TYPES = select(_E.type, _E.properties, _E.occurred_at).where(
    _E.contact_id == bindparam("contact_id"), _E.type.in_(bindparam("types", expanding=True))
)
"""A contact's events of these types (a condition's ``where`` is matched in Python: globs)."""
OF_TYPES_SINCE = OF_TYPES.where(_E.occurred_at >= bindparam("since"))


EVENTS_OF = (
    select(_E).where(_E.contact_id == bindparam("contact_id")).order_by(_E.occurred_at, _E.id)
)
"""A contact's events, oldest first (ORM rows)."""
