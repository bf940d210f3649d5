"""Statements of the enrollments aggregate (with the split and branch decisions it owns) the
scheduler, the executor and operators use."""

from __future__ import annotations

from sqlalchemy import BindParameter, bindparam, case, func, select, update
from sqlalchemy.orm import joinedload

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.store import models
from nurture.store.statements.lists import in_list

_E, _SA, _BD = models.Enrollment, models.SplitAssignment, models.BranchDecision


DUE_OF_CONTACTS = (
    select(_E.id)
    .where(
        in_list(_E.contact_id, "contact_ids"),
        _E.status == "active",
        _E.next_run_at <= bindparam("now"),
    )
    .order_by(_E.next_run_at, _E.id)
)
"""The claimed contacts' enrollments with a step due now (the ids as one list: run
pre-compiled, store/converted.execute_one)."""


_IN_ROUND: BindParameter[list[int]] = bindparam("enrollment_ids", expanding=True)


ROUND_CONTACT_COLUMNS = (
    "id",
    *PROFILE_FIELDS,
    "attributes",
    "stage",
    "score",
    "band",
    "grade",
    "owner",
)
"""What a send round reads of a contact: its profile, state and owner (none of its times)."""


ACTIVE_WITH_CONTACTS = (
    select(
        _E.__table__,
        *[models.Contact.__table__.c[name] for name in ROUND_CONTACT_COLUMNS],
    )
    .join_from(_E.__table__, models.Contact.__table__)
    .where(in_list(_E.id, "enrollment_ids"), _E.status == "active")
)
"""A send round's enrollments still active and their contacts: plain rows, the enrollment's
columns in its table's order, then the contact's ``ROUND_CONTACT_COLUMNS`` (the ids as one
list parameter: one statement text, compiled once, for rounds of any size)."""


SPLITS_OF_IDS = select(models.SplitAssignment.enrollment_id, models.SplitAssignment.step_id).where(
    models.SplitAssignment.enrollment_id.in_(_IN_ROUND)
)
"""The splits these enrollments were assigned a variant at (the first assignment stands)."""


FAILED = "failed"
"""The exit reason of an enrollment whose step failed for good (its error in last_error)."""


FAILURES = (
    select(_E)
    .where(_E.status == "exited", _E.exit_reason == FAILED)
    .options(joinedload(_E.contact))
    .order_by(_E.finished_at, _E.id)
)


RETRYING = (
    select(_E)
    .where(_E.status == "active", _E.attempts > 0)
    .options(joinedload(_E.contact))
    .order_by(_E.next_run_at, _E.id)
)
"""Enrollments between attempts of a step that failed (transient errors, backing off)."""


RESUME = (
    update(_E)
    .where(_E.id == bindparam("enrollment_id"), _E.status == "exited", _E.exit_reason == FAILED)
    .values(
        status="active",
        exit_reason=None,
        finished_at=None,
        attempts=0,
        next_run_at=bindparam("now"),
    )
)
"""A failed enrollment back on its failed step, due now, its attempts reset."""


OF_CONTACTS = select(_E.__table__).where(in_list(_E.contact_id, "contact_ids"))
"""Every enrollment of the contacts, whole rows in the table's order (intake orders them by
id itself: an ORDER BY here lets SQLite walk the whole table in id order)."""


ACTIVE_ON_OLDER_VERSIONS = select(_E).where(
    _E.journey_id == bindparam("journey_id"),
    _E.status == "active",
    _E.version_id != bindparam("version_id"),
)
"""A journey's running enrollments on versions before the one just published (ORM rows)."""


OF_CONTACT = (
    select(_E).where(_E.contact_id == bindparam("contact_id")).order_by(_E.enrolled_at, _E.id)
)
"""A contact's enrollments, oldest first (ORM rows)."""


COUNTS_BY_JOURNEY = select(
    _E.journey_id, func.count(), func.sum(case((_E.status == "active", 1), else_=0))
).group_by(_E.journey_id)
"""How many enrollments each journey has, and how many of them are active."""


SPLITS_OF_CONTACT = (
    select(_SA).where(_SA.contact_id == bindparam("contact_id")).order_by(_SA.assigned_at)
)
"""The A/B variants a contact's enrollments were given, oldest first (ORM rows)."""


BRANCHES_OF_CONTACT = (
    select(_BD).where(_BD.contact_id == bindparam("contact_id")).order_by(_BD.at, _BD.id)
)
"""Which way a contact's enrollments went at branch and wait_for steps, oldest first (ORM rows)."""
