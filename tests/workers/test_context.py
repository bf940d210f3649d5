"""A process's lease and clock: measured in real time, agreed on by every process."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nurture.errors import ConfigError
from nurture.settings import load_settings
from nurture.workers.context import lease, require_shared_clock


def test_the_lease_is_real_time_converted_to_the_clocks_time() -> None:
    assert lease(load_settings(lease_seconds=30)) == timedelta(seconds=30)
    fast = load_settings(
        lease_seconds=30, clock_start="2026-03-02T08:00:00Z", clock_speed=86400, clock_epoch=0
    )
    assert lease(fast) == timedelta(days=30)  # thirty real seconds at a day per second


def test_an_accelerated_clock_needs_a_shared_epoch_across_processes() -> None:
    with pytest.raises(ConfigError, match="NURTURE_CLOCK_EPOCH"):
        require_shared_clock(load_settings(clock_start="2026-03-02T08:00:00Z"))
    require_shared_clock(load_settings(clock_start="2026-03-02T08:00:00Z", clock_epoch=1e9))
    require_shared_clock(load_settings())  # the real clock needs nothing shared
