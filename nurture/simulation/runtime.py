"""The simulator's runtime, its workspace parts kept per process while no file changes.

Loading a workspace checks every journey and renders each template once (definitions/);
the templates compile on first use and the CRM client builds a TLS context. A process that
simulates again (``--check`` on a folder, the tests, the bench) reuses those parts as long as
the workspace's and the templates' files are the same (their paths, sizes and modification
times) and the settings are; each run still gets its own clock, provider and database.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from sqlalchemy import Engine

from nurture.bootstrap import build_runtime
from nurture.clock import ManualClock
from nurture.delivery.providers.memory import MemoryProvider
from nurture.engine.journeys import publish_journeys
from nurture.engine.runtime import Runtime
from nurture.settings import load_settings

_kept: dict[tuple[object, ...], Runtime] = {}


def simulation_runtime(
    engine: Engine, folder: Path, clock: ManualClock, workspace: Path, templates: Path | None
) -> Runtime:
    """A runtime on ``engine`` with a fresh clock and provider; the journeys published."""
    settings = load_settings(database_url=str(engine.url), outbox_dir=folder / "outbox")
    chosen = templates or workspace / "templates"
    key = (settings.model_dump_json(), _files(workspace), _files(chosen))
    kept = _kept.get(key)
    if kept is None or kept.engine is not engine:
        kept = build_runtime(
            settings,
            clock=clock,
            provider=MemoryProvider(keep=False),
            workspace=workspace,
            templates=templates,
            engine=engine,
        )
        _kept.clear()
        _kept[key] = kept
    rt = dataclasses.replace(kept, clock=clock, provider=MemoryProvider(keep=False), _versions={})
    publish_journeys(rt)
    return rt


def _files(folder: Path) -> tuple[object, ...]:
    """The folder and each file under it, with its size and modification time."""
    found = []
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            stat = os.stat(path)
            found.append((path, stat.st_size, stat.st_mtime_ns))
    return (str(folder.resolve()), *sorted(found))
