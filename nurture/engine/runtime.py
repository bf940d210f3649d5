"""Everything a use case needs, in one object (wired by the composition root, nurture/bootstrap.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from nurture.clock import Clock
from nurture.definitions.journey_schema import JourneySpec
from nurture.definitions.journeys import journey_from_spec
from nurture.delivery.crm import CrmWebhook
from nurture.delivery.links import Links
from nurture.delivery.templates import Templates
from nurture.domain.journeys import Journey
from nurture.domain.workspace import Workspace
from nurture.engine.ports import EmailProvider
from nurture.store import models
from nurture.store.claims import Retry
from nurture.store.statements import journeys


@dataclass
class Runtime:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    workspace: Workspace
    templates: Templates
    provider: EmailProvider
    links: Links
    webhook_secret: str = ""
    http: httpx.Client | None = None
    """The client notify steps post webhooks with (None: a fresh one per call)."""
    crm: CrmWebhook = field(default_factory=lambda: CrmWebhook(None))
    lease: timedelta = timedelta(minutes=5)
    """How long a claim holds, in the clock's time (``NURTURE_LEASE_SECONDS`` real seconds)."""
    retry: Retry = field(default_factory=Retry)
    """Attempts and backoff of a failing step or notification, in the clock's time."""
    _versions: dict[int, Journey] = field(default_factory=dict)

    def journey_of(self, version: models.JourneyVersion) -> Journey:
        """The journey an enrollment runs: the version it entered, not today's file."""
        journey = self._versions.get(version.id)
        if journey is None:
            journey = self.journey_of_definition(version.id, version.definition)
        return journey

    def journey_of_definition(self, version_id: int, definition: Mapping[str, Any]) -> Journey:
        """``journey_of`` a version read as plain columns (intake reads no ORM rows)."""
        journey = self._versions.get(version_id)
        if journey is None:
            journey = journey_from_spec(JourneySpec.model_validate(definition))
            self._versions[version_id] = journey
        return journey

    def cached_journey(self, version_id: int) -> Journey | None:
        return self._versions.get(version_id)

    def load_journeys(self, connection: Connection, version_ids: Iterable[int]) -> None:
        """Read the definitions of the versions not cached yet, in one statement."""
        missing = [id_ for id_ in set(version_ids) if id_ not in self._versions]
        if missing:
            for id_, definition in connection.execute(
                journeys.DEFINITIONS, {"version_ids": missing}
            ):
                self.journey_of_definition(id_, definition)

    def journey_of_version(self, connection: Connection, version_id: int) -> Journey:
        """The journey of a version id, read on ``connection`` the first time only."""
        self.load_journeys(connection, (version_id,))
        return self._versions[version_id]

    def journey_for(self, enrollment: models.Enrollment) -> Journey:
        """``journey_of`` the enrollment's version, loading the version row only once."""
        return self._versions.get(enrollment.version_id) or self.journey_of(enrollment.version)
