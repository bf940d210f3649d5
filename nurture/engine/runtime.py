"""Everything a use case needs, built once per process from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from nurture.clock import Clock
from nurture.definitions.journey_schema import JourneySpec
from nurture.definitions.journeys import journey_from_spec
from nurture.definitions.loader import load_workspace
from nurture.delivery.crm import CrmWebhook
from nurture.delivery.links import Links
from nurture.delivery.providers import Provider
from nurture.delivery.providers.outbox import OutboxProvider
from nurture.delivery.templates import Templates
from nurture.domain.journeys import Journey
from nurture.domain.workspace import Workspace
from nurture.errors import ConfigError
from nurture.settings import Settings
from nurture.store import models
from nurture.store.db import make_engine, make_sessions


@dataclass
class Runtime:
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    workspace: Workspace
    templates: Templates
    provider: Provider
    links: Links
    webhook_secret: str = ""
    http: httpx.Client | None = None
    """The client notify steps post webhooks with (None: a fresh one per call)."""
    crm: CrmWebhook = field(default_factory=lambda: CrmWebhook(None))
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

    def journey_for(self, enrollment: models.Enrollment) -> Journey:
        """``journey_of`` the enrollment's version, loading the version row only once."""
        return self._versions.get(enrollment.version_id) or self.journey_of(enrollment.version)


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    provider: Provider | None = None,
    workspace: Path | None = None,
    templates: Path | None = None,
) -> Runtime:
    folder = workspace or settings.workspace
    templates_dir = templates or folder / "templates"
    engine = make_engine(settings.database_url)
    clock = clock or settings.clock
    return Runtime(
        engine=engine,
        sessions=make_sessions(engine),
        clock=clock,
        workspace=load_workspace(folder, templates_dir),
        templates=Templates(templates_dir),
        provider=provider or _provider(settings, clock),
        links=Links(settings.secret_key, settings.base_url),
        webhook_secret=settings.secret_key,
        crm=CrmWebhook(settings.crm_webhook_secret, settings.crm_webhook_url),
    )


def _provider(settings: Settings, clock: Clock | None = None) -> Provider:
    if settings.email_backend == "outbox":
        return OutboxProvider(settings.outbox_dir, clock)
    if not settings.sendgrid_api_key:
        raise ConfigError("NURTURE_EMAIL_BACKEND=sendgrid needs SENDGRID_API_KEY")
    from nurture.delivery.providers.sendgrid import SendGridProvider

    return SendGridProvider(
        settings.sendgrid_api_key,
        host=settings.sendgrid_host,
        sandbox=settings.sendgrid_sandbox,
        max_retries=settings.sendgrid_max_retries,
    )
