"""A process's lease: measured in real time, whatever the clock's speed."""

from __future__ import annotations

from datetime import timedelta

from nurture.settings import load_settings
from nurture.workers.context import lease


def test_the_lease_is_real_time_converted_to_the_clocks_time() -> None:
    assert lease(load_settings(lease_seconds=30)) == timedelta(seconds=30)
    fast = load_settings(
        lease_seconds=30, clock_start="2026-03-02T08:00:00Z", clock_speed=86400, clock_epoch=0
    )
    assert lease(fast) == timedelta(days=30)  # thirty real seconds at a day per second
