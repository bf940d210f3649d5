"""Plain, mutable rows of the two tables whose rows intake changes in place.

They carry the column names of ``models.Contact`` and ``models.Enrollment``, so the engine's
helpers that read a contact or an enrollment by attribute (profile, state, journeys' reaction)
take either. ``id`` is None until the flush gives a new row its id.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    lease_owner: str | None
    lease_until: datetime | None
    exit_reason: str | None
    path: dict[str, Any]
    enrolled_at: datetime
    finished_at: datetime | None
    stored: bool = True


CONTACT_COLUMNS = tuple(f.name for f in fields(ContactRow) if f.name != "stored")
ENROLLMENT_COLUMNS = tuple(f.name for f in fields(EnrollmentRow) if f.name != "stored")


def contact_from(row: Mapping[str, Any]) -> ContactRow:
    return ContactRow(**{name: row[name] for name in CONTACT_COLUMNS})


def enrollment_from(row: Mapping[str, Any]) -> EnrollmentRow:
    return EnrollmentRow(**{name: row[name] for name in ENROLLMENT_COLUMNS})
