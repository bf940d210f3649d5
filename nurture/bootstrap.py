"""The composition root: settings in, a wired Runtime out (concrete providers chosen here).

The engine only knows the Runtime and the ports it declares (engine/ports.py); which
database, provider, clock and workspace a process uses is decided here, once per process,
by every entry point (CLI, workers, HTTP app, tests' harness, bench).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from nurture.clock import Clock
from nurture.definitions.loader import load_workspace
from nurture.delivery.crm import CrmWebhook
from nurture.delivery.links import Links
from nurture.delivery.providers.outbox import OutboxProvider
from nurture.delivery.templates import Templates
from nurture.engine.journeys import publish_journeys
from nurture.engine.ports import EmailProvider
from nurture.engine.runtime import Runtime
from nurture.errors import ConfigError
from nurture.settings import Settings
from nurture.store.claims import Retry
from nurture.store.db import make_engine, make_sessions


def open_runtime(settings: Settings, **options: Any) -> Runtime:
    """Build the runtime and publish the workspace's journeys as stored versions."""
    runtime = build_runtime(settings, **options)
    publish_journeys(runtime)
    return runtime


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    provider: EmailProvider | None = None,
    workspace: Path | None = None,
    templates: Path | None = None,
    engine: Engine | None = None,
) -> Runtime:
    """``engine``: one the caller made (the simulator's throwaway) instead of the settings'."""
    folder = workspace or settings.workspace
    templates_dir = templates or folder / "templates"
    engine = engine or make_engine(settings.database_url)
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
        lease=timedelta(seconds=settings.lease_seconds * settings.clock_rate),
        retry=Retry(
            max_attempts=settings.max_attempts,
            first=timedelta(seconds=settings.retry_first_seconds * settings.clock_rate),
            cap=timedelta(seconds=settings.retry_max_seconds * settings.clock_rate),
        ),
    )


def _provider(settings: Settings, clock: Clock | None = None) -> EmailProvider:
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
        clock=clock,
    )
