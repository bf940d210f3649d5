"""A pytest plugin for time-travel tests of a workspace (registered as ``pytest11``).

Fixtures: ``nurture_clock`` (a ManualClock), ``nurture_workspace`` (the workspace folder: the
nearest folder above the test file holding ``workspace.yaml``, so a workspace's own ``tests/``
find it; else ``NURTURE_WORKSPACE`` or the current directory), ``nurture_templates`` (its
``templates/``), and ``nurture``: a :class:`Harness` on a fresh SQLite database that creates
contacts, emits events and travels through time::

    def test_welcome(nurture):
        nurture.contact("ana@acme.com", job_title="CMO")
        nurture.emit("ana@acme.com", "subscribed")
        assert nurture.sent_steps("ana@acme.com") == ["welcome/welcome"]
        nurture.advance(days=2)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nurture.clock import Clock, ManualClock
from nurture.delivery.providers import Provider
from nurture.delivery.providers.outbox import OutboxProvider
from nurture.domain.contacts import normalise_email
from nurture.engine.boot import open_runtime
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import Ingested, ingest_event
from nurture.engine.queries import contact_summary
from nurture.engine.runtime import Runtime
from nurture.engine.tick import TickResult, tick
from nurture.engine.timeline import advance_to
from nurture.formats import ContactIn, EventIn
from nurture.settings import load_settings
from nurture.simulation.timeline import Entry, read_timeline
from nurture.store.db import make_engine
from nurture.store.models import Base

DEFAULT_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class Harness:
    """Drives one workspace through the real engine on a chosen clock."""

    def __init__(self, runtime: Runtime, outbox: Path) -> None:
        self.runtime = runtime
        self.outbox = outbox

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def now(self) -> datetime:
        return self.clock.now()

    def contact(self, email: str, **fields: Any) -> None:
        import_contact(self.runtime, ContactIn(email=email, **fields))
        self.run_due()

    def emit(self, email: str, type: str, *, id: str | None = None, **properties: Any) -> Ingested:
        """Store an event happening now, then run whatever became due because of it."""
        result = ingest_event(
            self.runtime,
            EventIn(id=id, email=email, type=type, at=self.now(), properties=properties),
        )
        self.run_due()
        return result

    def run_due(self) -> TickResult:
        return tick(self.runtime, self.now())

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Travel forward (ManualClock only), running every step at its own due time."""
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError(
                "advance() needs a ManualClock; under freezegun move time yourself "
                "and call run_due()"
            )
        advance_to(self.runtime, clock, self.now() + (delta or timedelta()) + timedelta(**units))
        return self.now()

    def summary(self, email: str) -> dict[str, Any]:
        return contact_summary(self.runtime, email)

    def stage(self, email: str) -> str:
        return str(self.summary(email)["stage"])

    def score(self, email: str) -> int:
        return int(self.summary(email)["score"])

    def sent(self, email: str) -> list[dict[str, Any]]:
        return [m for m in self.summary(email)["messages"] if m["status"] == "sent"]

    def sent_steps(self, email: str) -> list[str]:
        return [f"{m['journey']}/{m['step']}" for m in self.sent(email)]

    def timeline(self, email: str | None = None) -> list[Entry]:
        """Everything that happened (as `nurture simulate` reports it), oldest first."""
        with self.runtime.sessions() as session:
            entries = read_timeline(session)
        return [e for e in entries if email is None or e.email == normalise_email(email)]


def make_harness(
    tmp_path: Path,
    clock: Clock,
    workspace: Path,
    templates: Path | None = None,
    provider: Provider | None = None,
) -> Harness:
    """A harness on a fresh SQLite file under ``tmp_path`` (the outbox unless ``provider``).

    ``templates`` defaults to the workspace's own ``templates/``.
    """
    url = f"sqlite:///{tmp_path / 'nurture.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    outbox = tmp_path / "outbox"
    settings = load_settings(database_url=url, outbox_dir=outbox)
    runtime = open_runtime(
        settings,
        clock=clock,
        provider=provider or OutboxProvider(outbox),
        workspace=workspace,
        templates=templates,
    )
    return Harness(runtime, outbox)


@pytest.fixture
def nurture_clock() -> ManualClock:
    return ManualClock(DEFAULT_START)


@pytest.fixture
def nurture_workspace(request: pytest.FixtureRequest) -> Path:
    for folder in Path(request.path).resolve().parents:
        if (folder / "workspace.yaml").is_file():
            return folder
    return load_settings().workspace.resolve()


@pytest.fixture
def nurture_templates(nurture_workspace: Path) -> Path:
    return nurture_workspace / "templates"


@pytest.fixture
def nurture(
    tmp_path: Path, nurture_clock: ManualClock, nurture_workspace: Path, nurture_templates: Path
) -> Iterator[Harness]:
    harness = make_harness(tmp_path, nurture_clock, nurture_workspace, nurture_templates)
    yield harness
    harness.runtime.engine.dispose()
