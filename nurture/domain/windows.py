"""Send windows: the days and hours, in the contact's own time zone, when email may go out.

All arithmetic is done on local wall-clock times and converted back to UTC through zoneinfo,
so a window that opens at 09:00 opens at 09:00 local on both sides of a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SendWindow:
    """Open on ``days`` (0 = Monday) from ``start`` until ``end`` local time (end excluded)."""

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("a send window needs at least one day")
        if self.start >= self.end:
            raise ValueError("a send window must open before it closes (no windows over midnight)")

    def is_open(self, moment: datetime, zone: str) -> bool:
        try:
            local = moment.astimezone(ZoneInfo(zone))
        except OverflowError:
            raise ValueError(f"{moment.isoformat()} has no local time in {zone}") from None
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_opening(self, moment: datetime, zone: str) -> datetime:
        """``moment`` itself when the window is open, else the next time it opens (UTC).

        ValueError at the very end of the calendar, where no next opening can be held.
        """
        try:
            return self._next_opening(moment, zone)
        except OverflowError:
            raise ValueError(f"no send window opens after {moment.isoformat()}") from None

    def _next_opening(self, moment: datetime, zone: str) -> datetime:
        if self.is_open(moment, zone):
            return moment
        tz = ZoneInfo(zone)
        local = moment.astimezone(tz)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            # A start skipped by spring-forward maps to the first real time after the gap.
            opening = datetime.combine(day, self.start, tzinfo=tz).astimezone(UTC)
            if opening > moment:
                return opening
        raise AssertionError("a window with at least one day opens within a week")
