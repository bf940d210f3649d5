"""Configuration from the environment (``NURTURE_*``), validated in one place.

A bad value raises :class:`nurture.errors.ConfigError` with a one-line message naming the
variable, which the CLI prints without a traceback.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nurture.clock import AcceleratedClock, Clock, SystemClock
from nurture.domain.durations import parse_duration
from nurture.errors import ConfigError, plain_message
from nurture.times import AHEAD, EARLIEST, LATEST, TimeRange, to_utc

_ENV_PREFIX = "NURTURE_"


def _duration(value: Any) -> Any:
    """A duration as marketers write them (``1d``, ``12h``), or ``0``."""
    if isinstance(value, str):
        return timedelta(0) if value.strip() == "0" else parse_duration(value)
    return value


class Settings(BaseSettings):
    """Every knob of a deployment. Field ``foo`` is read from ``NURTURE_FOO``."""

    model_config = SettingsConfigDict(
        env_prefix=_ENV_PREFIX, extra="ignore", frozen=True, env_ignore_empty=True
    )

    database_url: str = "sqlite:///var/nurture.db"
    broker_url: AnyUrl | None = None
    email_backend: Literal["outbox", "sendgrid"] = "outbox"
    outbox_dir: Path = Path("var/outbox")
    sendgrid_api_key: str | None = Field(default=None, validation_alias="SENDGRID_API_KEY")
    workspace: Path = Path(".")
    secret_key: str = "dev-only-secret-change-me"
    base_url: str = "http://localhost:8000"
    crm_webhook_url: str | None = Field(default=None, pattern=r"^https?://")
    crm_webhook_secret: str | None = None
    clock_start: datetime | None = None
    clock_speed: float = Field(default=1.0, gt=0)
    clock_epoch: float | None = None
    # --- delivery and the HTTP app ---
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_sandbox: bool = False
    sendgrid_max_retries: int = Field(default=3, ge=0, le=10)
    sendgrid_webhook_public_key: str | None = None
    sendgrid_webhook_tolerance: int = Field(default=300, gt=0)
    api_tokens: str | None = None
    max_request_bytes: int = Field(default=1_000_000, gt=0)
    # --- the accepted range of incoming times (nurture/times.py) ---
    time_earliest: datetime = EARLIEST
    time_ahead: Annotated[timedelta, BeforeValidator(_duration)] = Field(
        default=AHEAD, ge=timedelta(0), le=timedelta(days=366)
    )

    @field_validator("clock_start")
    @classmethod
    def _clock_start(cls, value: datetime | None) -> datetime | None:
        return None if value is None else TimeRange().check(to_utc(value), None)

    @field_validator("time_earliest")
    @classmethod
    def _earliest(cls, value: datetime) -> datetime:
        value = to_utc(value)
        if value >= LATEST:
            raise ValueError(f"must be before {LATEST.isoformat()}")
        return value

    @property
    def time_range(self) -> TimeRange:
        """Which incoming times are accepted: NURTURE_TIME_EARLIEST, NURTURE_TIME_AHEAD."""
        return TimeRange(self.time_earliest, self.time_ahead)

    @field_validator("sendgrid_webhook_public_key")
    @classmethod
    def _public_key(cls, value: str | None) -> str | None:
        if value is not None:
            from nurture.delivery.webhooks.signature import load_public_key

            load_public_key(value)
        return value

    @property
    def api_token_set(self) -> frozenset[str]:
        """``NURTURE_API_TOKENS``: comma-separated bearer tokens the HTTP API accepts."""
        return frozenset(t.strip() for t in (self.api_tokens or "").split(",") if t.strip())

    lease_seconds: float = Field(default=300.0, gt=0)
    queue_prefix: str = Field(default="nurture", pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("use a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("broker_url")
    @classmethod
    def _known_broker(cls, value: AnyUrl | None) -> AnyUrl | None:
        if value is not None and value.scheme not in ("redis", "rediss", "amqp", "amqps"):
            raise ValueError("use a redis:// or amqp:// URL, or leave it unset for in-process")
        return value

    @property
    def templates(self) -> Path:
        """A workspace keeps its email templates in its own ``templates/`` folder."""
        return self.workspace / "templates"

    @property
    def clock_rate(self) -> float:
        """Virtual seconds per real second: 1 unless an accelerated clock is set."""
        return self.clock_speed if self.clock_start is not None else 1.0

    @cached_property
    def clock(self) -> Clock:
        if self.clock_start is None:
            return SystemClock()
        return AcceleratedClock(self.clock_start, self.clock_speed, epoch=self.clock_epoch)


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = (
                "SENDGRID_API_KEY" if field == "sendgrid_api_key" else _ENV_PREFIX + field.upper()
            )
            value = error.get("input")
            problems.append(f"{name}={value!r}: {plain_message(error)}")
        raise ConfigError("bad configuration: " + "; ".join(problems)) from None


def require_shared_clock(settings: Settings) -> None:
    """Processes started apart agree on accelerated time only through a shared epoch.

    ``AcceleratedClock`` reads ``start + (wall - epoch) * speed``. Without
    ``NURTURE_CLOCK_EPOCH`` each process would take its own start-up as the epoch, and a
    scheduler started a second after a worker would live hours (at speed 86400: a day) apart.
    """
    if settings.clock_start is not None and settings.clock_epoch is None:
        raise ConfigError(
            "NURTURE_CLOCK_START is set without NURTURE_CLOCK_EPOCH: set both for every "
            "process of the deployment (e.g. NURTURE_CLOCK_EPOCH=$(date +%s)), so the "
            "scheduler, workers and HTTP app agree on the virtual time"
        )
