"""Intake's plain rows have the columns of their tables, in the tables' order."""

from __future__ import annotations

from nurture.engine.intake.records import CONTACT_COLUMNS, ENROLLMENT_COLUMNS, HANDOFF_COLUMNS
from nurture.store import models


def test_records_follow_their_tables_column_for_column() -> None:
    assert tuple(c.name for c in models.Contact.__table__.columns) == CONTACT_COLUMNS
    assert tuple(c.name for c in models.Enrollment.__table__.columns) == ENROLLMENT_COLUMNS
    assert tuple(c.name for c in models.Handoff.__table__.columns) == HANDOFF_COLUMNS
