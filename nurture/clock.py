"""Time as an injected dependency: the domain never reads the wall clock itself.

Every clock returns timezone-aware UTC datetimes. ``SystemClock`` goes through
``datetime.now`` so freezegun can move the whole stack; ``ManualClock`` is moved by tests and
the simulator; ``AcceleratedClock`` lets a staging deployment play days in seconds.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC and convert an aware one to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class SystemClock:
    """The real time (or freezegun's, when a test has frozen it)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = as_utc(moment)
        if moment < self._now:
            raise ValueError("a ManualClock never moves backwards")
        self._now = moment

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        if step < timedelta():
            raise ValueError("a ManualClock never moves backwards")
        self._now += step
        return self._now


class AcceleratedClock:
    """Virtual time that starts at ``start`` and runs ``speed`` times faster than real time.

    Every process built from the same settings agrees on the virtual time, because it is
    derived from the shared ``start`` and the wall clock, not from when the process started.
    """

    def __init__(self, start: datetime, speed: float, *, epoch: float | None = None) -> None:
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self._start = as_utc(start)
        self._speed = speed
        self._epoch = time.time() if epoch is None else epoch

    def now(self) -> datetime:
        elapsed = (time.time() - self._epoch) * self._speed
        return self._start + timedelta(seconds=elapsed)
