"""``worker_scaling``: 2 worker processes against 1 on Redis. Not measured yet."""

from __future__ import annotations

from typing import Any

NOTE = (
    "not measured yet: the bench does not start Dramatiq workers on Redis (nurture/workers/ "
    "exists; the measurement is still to be written): no figure rather than a made-up one"
)


def run() -> dict[str, Any]:
    return {"worker_scaling": None}
