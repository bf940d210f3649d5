"""The reads of a simulation's timeline (simulation/timeline.py): every row that becomes an
entry, as plain columns in id order, so entries at the same moment keep the order the engine
wrote them in."""

from __future__ import annotations

from sqlalchemy import select

from nurture.store import models

_C, _E, _L = models.Contact, models.Enrollment, models.ScoreEntry
_SC, _H, _HE = models.StageChange, models.Handoff, models.HandoffEvent
_B, _SA, _M, _S = models.BranchDecision, models.SplitAssignment, models.Message, models.Suppression


EMAILS = select(_C.id, _C.email)
"""Every contact's address by id."""


ZONES_AND_STAGES = select(_C.email, _C.timezone, _C.stage)
"""Every contact's address, time zone and stage at the end."""


ENROLLMENTS = select(
    _E.contact_id, _E.journey_id, _E.enrolled_at, _E.finished_at, _E.exit_reason, _E.status
).order_by(_E.id)
"""Entries and exits."""


SCORES = select(_L.contact_id, _L.points, _L.rule, _L.kind, _L.at).order_by(_L.id)
"""Every score row, in the order the running score adds them."""


STAGE_CHANGES = select(_SC.contact_id, _SC.from_stage, _SC.to_stage, _SC.cause, _SC.at).order_by(
    _SC.id
)
"""Every stage move (the first, from nothing, included)."""


HANDOFFS = select(_H.id, _H.contact_id, _H.reason)
"""Each handoff's contact and (after a rejection) its reason."""


HANDOFF_EVENTS = select(_HE.handoff_id, _HE.kind, _HE.data, _HE.detail, _HE.actor, _HE.at).order_by(
    _HE.id
)
"""The handoffs' audit rows: owners, breaches, sales' answers, notifications."""


BRANCH_DECISIONS = select(
    _B.contact_id, _B.journey_id, _B.step_id, _B.condition, _B.target, _B.at
).order_by(_B.id)
"""Each branch taken, with the condition that chose it."""


SPLIT_ASSIGNMENTS = select(
    _SA.contact_id, _SA.journey_id, _SA.step_id, _SA.variant, _SA.assigned_at
).order_by(_SA.assigned_at, _SA.enrollment_id)
"""Each split's variant, in the order they were drawn."""


MESSAGES = select(
    _M.contact_id,
    _M.status,
    _M.sent_at,
    _M.created_at,
    _M.journey_id,
    _M.step_id,
    _M.template,
    _M.subject,
    _M.error,
).order_by(_M.id)
"""Every message: the sent ones and those skipped for good."""


SUPPRESSIONS = select(_S.email, _S.reason, _S.created_at).order_by(_S.id)
"""The addresses nothing more is sent to."""
