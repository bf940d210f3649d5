"""Start a process's engine: build the runtime and publish the workspace's journeys."""

from __future__ import annotations

from typing import Any

from nurture.engine.journeys import publish_journeys
from nurture.engine.runtime import Runtime, build_runtime
from nurture.settings import Settings


def open_runtime(settings: Settings, **options: Any) -> Runtime:
    runtime = build_runtime(settings, **options)
    publish_journeys(runtime)
    return runtime
