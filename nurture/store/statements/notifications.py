"""Statements of handoff notifications (webhooks and emails to sales), claimed like contacts."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from nurture.store import models

_N = models.Notification

DUE = (
    select(_N.id)
    .where(_N.next_attempt_at <= bindparam("now"))
    .order_by(_N.next_attempt_at, _N.id)
    .limit(bindparam("limit"))
)
CLAIMED = (
    select(_N.id, _N.channel, _N.target, _N.payload, _N.attempts, _N.status, _N.delivered_at)
    .where(_N.id.in_(bindparam("ids", expanding=True)))
    .order_by(_N.id)
)
"""What the sweep needs of the notifications it claimed, read with the claim."""
OUTCOME = (
    update(_N)
    .where(_N.id == bindparam("notification_id"), _N.lease_owner == bindparam("token"))
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        next_attempt_at=bindparam("next_attempt_at"),
        last_error=bindparam("last_error"),
        delivered_at=bindparam("delivered_at"),
        lease_owner=None,
        lease_until=None,
    )
)
"""An attempt's outcome, and the claim released: only while the sweep's token still holds
the notification (no row: another sweep has it now, and this outcome is not recorded)."""
NEXT = select(func.min(_N.next_attempt_at))
NEXT_AFTER = select(func.min(_N.next_attempt_at)).where(_N.next_attempt_at > bindparam("now"))
FAILED = select(_N).where(_N.status == "failed").order_by(_N.id)
RETRY = (
    update(_N)
    .where(_N.status == "failed", _N.id.in_(bindparam("ids", expanding=True)))
    .values(status="pending", attempts=0, next_attempt_at=bindparam("now"))
)
RETRY_ALL = (
    update(_N)
    .where(_N.status == "failed")
    .values(status="pending", attempts=0, next_attempt_at=bindparam("now"))
)
NEXT_FREE = select(func.min(_N.next_attempt_at)).where(
    (_N.lease_until.is_(None)) | (_N.lease_until <= bindparam("now"))
)
"""The earliest attempt due that no sweep holds (a claimed one is on its way)."""


UNDELIVERED = select(_N).where(_N.status != "delivered").order_by(_N.id)
"""Every notification not delivered yet, oldest first (ORM rows): nothing is lost silently."""
