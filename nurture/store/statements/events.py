"""Statements of the events aggregate: which source ids are stored, and what conditions count."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from nurture.store import models
from nurture.store.statements.lists import in_list

_E = models.Event

STORED_SOURCE_IDS = select(_E.source_id).where(in_list(_E.source_id, "source_ids"))
"""Which of these source ids are stored already (an event seen again is a duplicate)."""
OF_TYPES = select(_E.type, _E.properties, _E.occurred_at).where(
    _E.contact_id == bindparam("contact_id"), _E.type.in_(bindparam("types", expanding=True))
)
"""A contact's events of these types (a condition's ``where`` is matched in Python: globs)."""
OF_TYPES_SINCE = OF_TYPES.where(_E.occurred_at >= bindparam("since"))

LAST_RESUBSCRIBE_OF_EMAIL = (
    select(func.max(_E.id))
    .join(models.Contact, models.Contact.id == _E.contact_id)
    .where(models.Contact.email == bindparam("email"), _E.type == "resubscribed")
)
"""The id of an address's latest ``resubscribed`` event: its current subscription begins there."""


EVENTS_OF = (
    select(_E).where(_E.contact_id == bindparam("contact_id")).order_by(_E.occurred_at, _E.id)
)
"""A contact's events, oldest first (ORM rows)."""


SOURCE_IDS = select(_E.id, _E.source_id).where(_E.id.in_(bindparam("event_ids", expanding=True)))
"""The source id of each of these events (what a score's ledger row points back to)."""
