"""What a worker or scheduler process shares: its settings, one runtime, the lease length."""

from __future__ import annotations

import threading
from datetime import timedelta

from nurture.bootstrap import open_runtime
from nurture.engine.runtime import Runtime
from nurture.settings import Settings, load_settings, require_shared_clock

_lock = threading.Lock()
_runtime: Runtime | None = None
_settings: Settings | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def runtime() -> Runtime:
    """The process's runtime, built on first use (after a worker process has forked)."""
    global _runtime
    with _lock:
        if _runtime is None:
            require_shared_clock(settings())
            _runtime = open_runtime(settings())
        return _runtime


def use(settings_: Settings, runtime_: Runtime | None = None) -> None:
    """Install the settings (and a runtime) this process uses: `nurture run` and tests."""
    global _runtime, _settings
    with _lock:
        _settings, _runtime = settings_, runtime_


def lease(settings_: Settings) -> timedelta:
    """A lease of ``NURTURE_LEASE_SECONDS`` real seconds, in the clock's (virtual) time.

    Under an accelerated clock five real minutes are days of virtual time; measuring the
    lease in virtual time would let it expire while its worker is still sending.
    """
    return timedelta(seconds=settings_.lease_seconds * settings_.clock_rate)
