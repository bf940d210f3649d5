"""A round's contact record is built from its read by position: the two must agree."""

from __future__ import annotations

from dataclasses import fields

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.engine.send.core import contact_context
from nurture.engine.send.state import RoundContact
from nurture.store.statements import enrollments


def test_the_round_contact_has_the_read_columns_in_their_order() -> None:
    assert tuple(f.name for f in fields(RoundContact)) == enrollments.ROUND_CONTACT_COLUMNS


def test_the_round_contact_carries_what_templates_and_conditions_see() -> None:
    record = RoundContact(*[None] * len(enrollments.ROUND_CONTACT_COLUMNS))
    record.attributes = {}
    assert set(contact_context(record)) <= set(enrollments.ROUND_CONTACT_COLUMNS)
    assert set(PROFILE_FIELDS) <= set(enrollments.ROUND_CONTACT_COLUMNS)
