"""Statements of the messages aggregate."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_M = models.Message

UIDS_OF_STEP = select(_M.uid).where(
    _M.enrollment_id == bindparam("enrollment_id"), _M.step_id == bindparam("step")
)
"""The uids of the emails an enrollment sent at a step (conditions about that step)."""
SENT_AMONG = (
    select(_M.id).where(_M.uid.in_(bindparam("uids", expanding=True)), _M.status == "sent").limit(1)
)
