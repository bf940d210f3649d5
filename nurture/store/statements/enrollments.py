"""Statements of the enrollments aggregate the scheduler, the executor and operators use."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from nurture.store import models
from nurture.store.statements.lists import in_list

_E = models.Enrollment


DUE_OF_CONTACTS = (
    select(_E.id)
    .where(
        _E.contact_id.in_(bindparam("contact_ids", expanding=True)),
        _E.status == "active",
        _E.next_run_at <= bindparam("now"),
    )
    .order_by(_E.next_run_at, _E.id)
)
"""The claimed contacts' enrollments with a step due now."""


ACTIVE_WITH_CONTACTS = (
    select(_E)
    .where(_E.id.in_(bindparam("enrollment_ids", expanding=True)), _E.status == "active")
    .options(joinedload(_E.contact))
)
"""A round's enrollments, their contacts loaded alongside (ORM rows)."""


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
