"""Statements of the handoffs aggregate (handoffs and their events): the SLA check, a
contact's explanation and the handoff board."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from nurture.store import models

_H, _HE = models.Handoff, models.HandoffEvent


CHECKS_DUE = (
    select(_H.__table__)
    .where(
        _H.contact_id.in_(bindparam("contact_ids", expanding=True)), _H.check_at <= bindparam("now")
    )
    .order_by(_H.check_at, _H.id)
)
"""The claimed contacts' handoffs whose SLA is to be checked now: whole rows, columns in the
table's order (the upkeep's records are built from them)."""


LAST_OWNER_AMONG = (
    select(_H.owner)
    .where(_H.owner.in_(bindparam("emails", expanding=True)))
    .order_by(_H.id.desc())
    .limit(1)
)
"""The rep of a pool who took the latest handoff (round-robin goes on after them)."""


LATEST_OF_CONTACT = (
    select(_H).where(_H.contact_id == bindparam("contact_id")).order_by(_H.id.desc()).limit(1)
)
"""A contact's latest handoff, if any (ORM row)."""


PENDING_OF_CONTACT = select(_H.id).where(
    _H.contact_id == bindparam("contact_id"), _H.status == "pending"
)
"""A contact's handoff still awaiting sales, if any (a second one is not opened)."""


COUNT_OF_CONTACT_AS_OF = (
    select(func.count())
    .select_from(_H)
    .where(_H.contact_id == bindparam("contact_id"), _H.created_at <= bindparam("at"))
)
"""How many handoffs a contact had by ``:at`` (it has an owner only once handed off)."""


COUNT_BY_OWNER = select(_H.owner, func.count()).group_by(_H.owner).order_by(_H.owner)
"""How many handoffs each rep took."""


OF_CONTACT = select(_H).where(_H.contact_id == bindparam("contact_id")).order_by(_H.id)
"""A contact's handoffs, oldest first (ORM rows)."""


OF_CONTACT_AS_OF = OF_CONTACT.where(_H.created_at <= bindparam("at"))
"""A contact's handoffs opened by ``:at``, oldest first (ORM rows)."""


TRAIL_AS_OF = (
    select(_HE)
    .where(_HE.handoff_id == bindparam("handoff_id"), _HE.at <= bindparam("at"))
    .order_by(_HE.at, _HE.id)
)
"""What happened to one handoff by ``:at``, in order (ORM rows)."""


WITH_EMAILS = select(_H, models.Contact.email).join(models.Contact).order_by(_H.id)
"""Every handoff with its contact's address (ORM rows), oldest first: the handoff board."""


ESCALATIONS = select(_HE.handoff_id, _HE.data).where(_HE.kind == "escalated")
"""Every escalation of every handoff, with its data (a reassignment names its new owner)."""
