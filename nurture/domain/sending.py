"""When an email may go out: the workspace's send window, quiet hours and frequency cap.

Pure: every moment is an argument, and local times are computed in the contact's zone through
zoneinfo, so DST changes move nothing a marketer wrote in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from nurture.domain.durations import later
from nurture.domain.windows import SendWindow

WhenCapped = Literal["wait", "skip"]


@dataclass(frozen=True)
class QuietHours:
    """No email from ``start`` to ``end`` local time, every day; may span midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")

    def contains(self, moment: datetime, zone: str) -> bool:
        local = moment.astimezone(ZoneInfo(zone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime, zone: str) -> datetime:
        """The first moment after ``moment`` at which these quiet hours are over (UTC)."""
        tz = ZoneInfo(zone)
        local = moment.astimezone(tz)
        for offset in range(2):
            end = datetime.combine(local.date() + timedelta(days=offset), self.end, tzinfo=tz)
            end_utc = end.astimezone(UTC)
            if end_utc > moment:
                return end_utc
        raise AssertionError("quiet hours end within two days")


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``limit`` emails to one contact in any ``period``, across every journey."""

    limit: int
    period: timedelta

    def free_at(self, recent_sends: list[datetime], now: datetime) -> datetime | None:
        """None when one more email may go now; else when the oldest counted send ages out."""
        since = later(now, self.period, -1)
        counted = sorted(t for t in recent_sends if since is None or t > since)
        if len(counted) < self.limit:
            return None
        free = later(counted[len(counted) - self.limit], self.period)
        if free is None:
            raise ValueError(f"the cap frees no send after {now.isoformat()}")
        return free


@dataclass(frozen=True)
class SendingRules:
    window: SendWindow | None = None
    quiet_hours: QuietHours | None = None
    cap: FrequencyCap | None = None
    when_capped: WhenCapped = "wait"

    def next_allowed(
        self, moment: datetime, zone: str, window: SendWindow | None = None
    ) -> datetime:
        """``moment`` when sending is allowed then, else the next moment it is (UTC).

        ``window`` (a journey's own) replaces the workspace's; quiet hours always hold.
        ValueError when no such moment exists (or lies past the end of the calendar).
        """
        try:
            return self._next_allowed(moment, zone, window or self.window)
        except OverflowError:
            raise ValueError(f"no moment to send after {moment.isoformat()}") from None

    def _next_allowed(self, moment: datetime, zone: str, window: SendWindow | None) -> datetime:
        candidate = moment
        for _ in range(16):
            if window is not None:
                candidate = window.next_opening(candidate, zone)
            if self.quiet_hours is None or not self.quiet_hours.contains(candidate, zone):
                return candidate
            candidate = self.quiet_hours.end_after(candidate, zone)
        raise ValueError("the send window lies wholly inside the quiet hours")
