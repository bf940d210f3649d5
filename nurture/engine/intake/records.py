"""Plain, mutable rows of the tables whose rows the set-based code changes in place.

They carry the column names of ``models.Contact``, ``models.Enrollment`` and
``models.Handoff``, so the engine's helpers that read a contact, an enrollment or a handoff by
attribute (profile, state, journeys' reaction, the owner's messages) take either. ``id`` is
None until the flush gives a new row its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(slots=True, eq=False)
class ContactRow:
    id: int | None
    email: str
    first_name: str | None
    last_name: str | None
    job_title: str | None
    company: str | None
    company_size: int | None
    industry: str | None
    country: str | None
    timezone: str | None
    source: str | None
    attributes: dict[str, Any]
    stage: str
    score: int
    band: str
    grade: str
    owner: str | None
    last_active_at: datetime | None
    scored_until: datetime | None
    decay_due_at: datetime | None
    stage_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None
    stored: bool = True
    """False until the row is written: changes to it go into its insert, not an update."""


@dataclass(slots=True, eq=False)
class EnrollmentRow:
    id: int | None
    contact_id: int | ContactRow | None
    journey_id: str
    version_id: int
    status: str
    current_step: str | None
    step_entered_at: datetime
    next_run_at: datetime | None
    attempts: int
    last_error: str | None
    exit_reason: str | None
    path: dict[str, Any]
    enrolled_at: datetime
    finished_at: datetime | None
    stored: bool = True


@dataclass(slots=True, eq=False)
class HandoffRow:
    """A stored handoff whose SLA is checked (engine/escalation.py)."""

    id: int
    contact_id: int
    owner: str
    status: str
    sla_due_at: datetime
    check_at: datetime | None
    reason: str | None
    details: dict[str, Any]
    created_at: datetime
    responded_at: datetime | None
    stored: bool = True


CONTACT_COLUMNS = tuple(f.name for f in fields(ContactRow) if f.name != "stored")
ENROLLMENT_COLUMNS = tuple(f.name for f in fields(EnrollmentRow) if f.name != "stored")
HANDOFF_COLUMNS = tuple(f.name for f in fields(HandoffRow) if f.name != "stored")
CONTACT_STATE = (
    "stage",
    "score",
    "band",
    "grade",
    "owner",
    "last_active_at",
    "scored_until",
    "decay_due_at",
    "stage_changed_at",
    "created_at",
    "updated_at",
)
"""The columns of a stored contact that an event can change (its profile stays)."""
ENROLLMENT_STATE = (
    "status",
    "exit_reason",
    "finished_at",
    "next_run_at",
)
"""The columns of a stored enrollment that intake changes (exit, or wake a ``wait_for``)."""
HANDOFF_STATE = ("owner", "sla_due_at", "check_at", "details")
"""The columns of a stored handoff that an SLA check changes."""


def contact_from(row: Sequence[Any]) -> ContactRow:
    """A row of ``select(contacts)``: its columns come in the table's order, as the fields do."""
    return ContactRow(*row)


def enrollment_from(row: Sequence[Any]) -> EnrollmentRow:
    return EnrollmentRow(*row)


def handoff_from(row: Sequence[Any]) -> HandoffRow:
    return HandoffRow(*row)
