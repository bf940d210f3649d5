"""Statements of the journeys aggregate: published versions, and their definitions."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from nurture.store import models

_J, _V = models.Journey, models.JourneyVersion

CURRENT_VERSIONS = select(_J.id, _V.id).join(_J).where(_V.version == _J.current_version)
"""Each journey's published version id (a new enrollment enters it)."""
DEFINITIONS = select(_V.id, _V.definition).where(
    _V.id.in_(bindparam("version_ids", expanding=True))
)


CURRENT_VERSION = (
    select(_V).join(_J).where(_J.id == bindparam("journey_id"), _V.version == _J.current_version)
)
"""One journey's published version (ORM row)."""
