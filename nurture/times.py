"""The one rule for every time that comes in, by any door.

An event's ``at`` (API, import, webhook), a scenario's times and ``--now`` are all read here:

- an ISO 8601 time; one without a zone (``2026-03-02T09:00``) is UTC. Provider webhooks give
  Unix seconds, which are UTC by definition;
- it must lie between ``NURTURE_TIME_EARLIEST`` (default 2000-01-01T00:00:00Z) and the clock
  plus ``NURTURE_TIME_AHEAD`` (default one day): an event is something that has happened, and a
  client's clock may run a little fast;
- a time that sets the clock itself (``--now``, a scenario's start) has no clock to be ahead
  of: it must lie between the earliest time and :data:`LATEST`.

Together with durations of at most a century (domain/durations.py) this keeps every moment
the engine computes far inside what a datetime can hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nurture.clock import as_utc
from nurture.domain.durations import format_duration

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=1)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""No time at or after this is accepted anywhere, whatever the clock says."""


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive means UTC); ValueError when it has no UTC equivalent."""
    try:
        return as_utc(moment)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} has no equivalent in UTC") from None


def parse_time(text: str) -> datetime:
    """An ISO 8601 time in UTC; ValueError saying the accepted form otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("use an ISO time such as 2026-03-04T09:00:00Z") from None
    return to_utc(moment)


def from_unix(seconds: object) -> datetime:
    """Unix seconds as a UTC time; ValueError for anything but a finite number in range."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("must be a Unix time (seconds since 1970)")
    if not math.isfinite(seconds):
        raise ValueError(f"{seconds} is not a Unix time: give a finite number of seconds")
    if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        raise ValueError(
            f"{seconds} is outside the accepted range {EARLIEST.isoformat()} to "
            f"{LATEST.isoformat()}"
        )
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class TimeRange:
    """The accepted range: from ``earliest`` to the clock plus ``ahead`` (never past LATEST)."""

    earliest: datetime = EARLIEST
    ahead: timedelta = AHEAD

    def problem(self, moment: datetime, now: datetime | None) -> str | None:
        """Why ``moment`` is refused, in words, or None. ``now`` None: ``moment`` sets the clock."""
        if moment < self.earliest:
            return (
                f"{moment.isoformat()} is before {self.earliest.isoformat()}, the earliest time "
                "accepted (NURTURE_TIME_EARLIEST)"
            )
        if moment >= LATEST:
            return f"{moment.isoformat()} is too late: no time from {LATEST.year} on is accepted"
        if now is not None and moment - self.ahead > now:
            return (
                f"{moment.isoformat()} is more than {format_duration(self.ahead)} ahead of the "
                f"clock ({now.isoformat()}): send events once they have happened "
                "(NURTURE_TIME_AHEAD)"
            )
        return None

    def check(self, moment: datetime, now: datetime | None) -> datetime:
        """``moment`` when accepted; ValueError with :meth:`problem` otherwise."""
        problem = self.problem(moment, now)
        if problem is not None:
            raise ValueError(problem)
        return moment
