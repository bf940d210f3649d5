"""Business hours: the clock an SLA runs on (weekdays, opening hours, holidays, a time zone).

An SLA of 8 business hours given on Friday at 15:00 is due on Monday at 15:00 when the office
opens 9 to 17: the weekend does not count.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessHours:
    timezone: str
    days: frozenset[int] = frozenset(range(5))
    """Open weekdays, Monday = 0."""
    opens: time = time(9)
    closes: time = time(17)
    holidays: Collection[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("business hours must open before they close")
        if not self.days:
            raise ValueError("business hours need at least one open day")

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of open time after ``start`` (UTC in, UTC out).

        ValueError when that moment lies beyond what a datetime can hold.
        """
        try:
            return self._add(start, duration)
        except OverflowError:
            raise ValueError(
                f"{duration} of business hours after {start.isoformat()} is past the end of the calendar"
            ) from None

    def _add(self, start: datetime, duration: timedelta) -> datetime:
        zone = ZoneInfo(self.timezone)
        local = start.astimezone(zone)
        left = duration
        day = local.date()
        for _ in range(3700):
            if self.is_open_day(day):
                opens = datetime.combine(day, self.opens, zone)
                closes = datetime.combine(day, self.closes, zone)
                begin = max(opens, local)
                if begin < closes:
                    available = closes.astimezone(UTC) - begin.astimezone(UTC)
                    if left <= available:
                        return (begin.astimezone(UTC) + left).astimezone(UTC)
                    left -= available
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), zone)
        raise ValueError("business hours never open in the next ten years")
