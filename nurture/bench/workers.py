"""``worker_scaling``: 2 worker processes against 1 on Redis. Not measurable yet."""

from __future__ import annotations

from typing import Any

NOTE = (
    "needs the Dramatiq workers (nurture/workers/), which this branch does not have yet: "
    "no figure rather than a made-up one"
)


def run() -> dict[str, Any]:
    return {"worker_scaling": None}
