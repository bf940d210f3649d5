"""The next moment some enrollment can run: its due time, or the end of its contact's lease."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from nurture.engine.contacts import find_contact
from nurture.engine.journeys import enroll
from nurture.engine.timeline import next_due
from nurture.store import models
from nurture.testing import Harness

HOUR = timedelta(hours=1)


def _two_enrollments(nurture: Harness) -> tuple[int, int]:
    for email in ("ana@acme.com", "bob@acme.com"):
        nurture.contact(email)
    with nurture.runtime.sessions.begin() as session:
        ids = []
        for email in ("ana@acme.com", "bob@acme.com"):
            contact = find_contact(session, email)
            assert contact is not None
            enrollment = enroll(
                session, contact, nurture.runtime.workspace.journey("welcome"), nurture.now()
            )
            session.flush()
            ids.append(enrollment.id)
    return ids[0], ids[1]


def _set(nurture: Harness, enrollment_id: int, **values: object) -> None:
    """Set the enrollment's columns, and its contact's for the lease."""
    E, C = models.Enrollment, models.Contact
    lease = {k: values.pop(k) for k in ("lease_owner", "lease_until") if k in values}
    with nurture.runtime.engine.begin() as connection:
        if values:
            connection.execute(update(E).where(E.id == enrollment_id).values(**values))
        if lease:
            contact = select(E.contact_id).where(E.id == enrollment_id).scalar_subquery()
            connection.execute(update(C).where(C.id == contact).values(**lease))


def test_a_lease_holds_its_enrollment_back_until_it_expires(nurture: Harness) -> None:
    t0 = nurture.now()
    ana, bob = _two_enrollments(nurture)
    far = t0 + 24 * HOUR
    _set(nurture, ana, next_run_at=t0 + HOUR)
    _set(nurture, bob, next_run_at=t0, lease_owner="w1", lease_until=t0 + HOUR / 2)
    assert next_due(nurture.runtime, far) == t0 + HOUR / 2  # Bob's lease ends first

    _set(nurture, bob, lease_until=t0 + 2 * HOUR)
    assert next_due(nurture.runtime, far) == t0 + HOUR  # now Ana is first

    _set(nurture, ana, lease_owner="w2", lease_until=t0 + 3 * HOUR)
    assert next_due(nurture.runtime, far) == t0 + 2 * HOUR  # both leased: the earliest end
    assert next_due(nurture.runtime, t0 + HOUR) is None  # nothing before the bound


def test_an_expired_lease_does_not_delay_its_enrollment(nurture: Harness) -> None:
    t0 = nurture.now()
    ana, bob = _two_enrollments(nurture)
    _set(nurture, ana, next_run_at=t0 + HOUR, lease_owner="w1", lease_until=t0)
    _set(nurture, bob, next_run_at=None)
    assert next_due(nurture.runtime, t0 + 24 * HOUR) == t0 + HOUR
