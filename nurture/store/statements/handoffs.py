"""Statements of the handoffs aggregate."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_H = models.Handoff

LAST_OWNER_AMONG = (
    select(_H.owner)
    .where(_H.owner.in_(bindparam("emails", expanding=True)))
    .order_by(_H.id.desc())
    .limit(1)
)
"""The rep of a pool who took the latest handoff (round-robin goes on after them)."""
