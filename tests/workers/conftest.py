"""Workers on Dramatiq's StubBroker, over a SQLite database and a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from nurture.clock import ManualClock
from nurture.testing import Harness, make_harness
from nurture.workers import context


@pytest.fixture
def actors():
    from nurture.workers import actors

    if not isinstance(actors.broker, StubBroker):
        pytest.skip("NURTURE_BROKER_URL was set when the actors were imported: unit tests stub it")
    actors.broker.flush_all()
    actors.broker.dead_letters_by_queue.clear()
    return actors


@pytest.fixture
def harness(
    tmp_path: Path,
    nurture_clock: ManualClock,
    nurture_workspace: Path,
    nurture_templates: Path,
    actors,
) -> Iterator[Harness]:
    """A harness whose runtime the actors use (as `nurture run` installs its own)."""
    harness = make_harness(tmp_path, nurture_clock, nurture_workspace, nurture_templates)
    context.use(context.settings(), harness.runtime)
    yield harness
    context.use(context.settings(), None)
    harness.runtime.engine.dispose()


@pytest.fixture
def worker(actors) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(actors.broker, worker_timeout=50, worker_threads=2)
    worker.start()
    yield worker
    worker.stop()
