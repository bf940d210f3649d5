"""Rows the benchmarks need in bulk, written with plain executemany inserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from nurture.bench.data import contacts
from nurture.domain.contacts import PROFILE_FIELDS
from nurture.engine.runtime import Runtime
from nurture.store import models

BULK = 20_000


def add_contacts(rt: Runtime, count: int, now: datetime) -> list[int]:
    """``count`` contacts (leads, no ledger): their ids in order."""
    rows: list[dict[str, Any]] = [
        dict(
            **{name: getattr(person, name) for name in PROFILE_FIELDS},
            attributes={},
            stage="lead",
            score=0,
            band="cold",
            grade="C",
            stage_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        for person in contacts(count)
    ]
    with rt.engine.begin() as connection:
        for start in range(0, len(rows), BULK):
            connection.execute(insert(models.Contact), rows[start : start + BULK])
        found = connection.execute(select(models.Contact.id).order_by(models.Contact.id))
        return list(found.scalars())


def current_version(rt: Runtime, journey_id: str) -> int:
    J, V = models.Journey, models.JourneyVersion
    with rt.sessions() as session:
        found = session.scalar(
            select(V.id).join(J).where(J.id == journey_id, V.version == J.current_version)
        )
    assert found is not None
    return found


def add_enrollments(rt: Runtime, rows: list[dict[str, Any]]) -> None:
    full = [
        {
            "status": "active",
            "attempts": 0,
            "last_error": None,
            "exit_reason": None,
            "finished_at": None,
            **row,
        }
        for row in rows
    ]
    with rt.engine.begin() as connection:
        for start in range(0, len(full), BULK):
            connection.execute(insert(models.Enrollment), full[start : start + BULK])


def add_first_sends(rt: Runtime, contact_ids: list[int], entered: datetime, due: datetime) -> None:
    """Each contact on the bench journey's first step (a send), due at ``due``."""
    version = current_version(rt, "nurture")
    add_enrollments(
        rt,
        [
            dict(
                contact_id=contact_id,
                journey_id="nurture",
                version_id=version,
                current_step="welcome",
                step_entered_at=entered,
                next_run_at=due,
                enrolled_at=entered,
            )
            for contact_id in contact_ids
        ],
    )
