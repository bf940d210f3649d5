"""Statements of the journey paths (nurture/reports/steps.py) and the published versions."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store.models import Contact, Enrollment, Journey, JourneyVersion
from nurture.store.statements.reports.scope import Scope, Statement, cohort_of, window


def enrollment_paths(scope: Scope) -> Statement:
    """The path of every enrollment enrolled in the range, with its version's first step."""
    return (
        select(
            cohort_of(scope, Contact.created_at).label("cohort"),
            Enrollment.journey_id,
            Enrollment.path,
            JourneyVersion.definition,
        )
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(JourneyVersion, JourneyVersion.id == Enrollment.version_id)
        .where(*window(scope, Enrollment.enrolled_at))
    )


VERSIONS = (
    select(
        Journey.id,
        Journey.name,
        Journey.current_version,
        JourneyVersion.version,
        JourneyVersion.created_at,
        JourneyVersion.definition,
    )
    .join(JourneyVersion, JourneyVersion.journey_id == Journey.id)
    .order_by(Journey.id, JourneyVersion.version.desc())
)
"""The published versions of every journey, newest first."""


VERSIONS_OF_JOURNEY = VERSIONS.where(Journey.id == bindparam("journey_id"))
"""The published versions of one journey, newest first."""
