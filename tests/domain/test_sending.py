"""Send windows, quiet hours and the frequency cap, in the contact's zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nurture.domain.sending import FrequencyCap, QuietHours, SendingRules
from nurture.domain.windows import SendWindow

WEEKDAYS_9_TO_5 = SendWindow(frozenset(range(5)), time(9), time(17))
EVERY_DAY_8_TO_20 = SendWindow(frozenset(range(7)), time(8), time(20))
LJUBLJANA = "Europe/Ljubljana"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "opening"),
    [
        # 03:00 CET on the Sunday clocks spring forward: 08:00 is CEST (UTC+2)
        (utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 6, 0)),
        # 03:00 CEST on the Sunday clocks fall back: 08:00 is CET (UTC+1)
        (utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 7, 0)),
        # an ordinary Tuesday at 03:00 CET
        (utc(2026, 3, 3, 2, 0), utc(2026, 3, 3, 7, 0)),
    ],
)
def test_a_step_due_at_3am_goes_out_at_the_windows_opening(due, opening) -> None:
    rules = SendingRules(window=EVERY_DAY_8_TO_20)
    assert due.astimezone(ZoneInfo(LJUBLJANA)).hour == 3
    assert rules.next_allowed(due, LJUBLJANA) == opening


def test_new_york_changes_on_its_own_date() -> None:
    rules = SendingRules(window=WEEKDAYS_9_TO_5)
    # Friday 18:00 EST -> Monday 09:00 EDT (clocks changed on Sunday 8 March 2026)
    assert rules.next_allowed(utc(2026, 3, 6, 23), "America/New_York") == utc(2026, 3, 9, 13)
    # same instant, Ljubljana: Saturday 00:00 -> Monday 09:00 CET
    assert rules.next_allowed(utc(2026, 3, 6, 23), LJUBLJANA) == utc(2026, 3, 9, 8)


def test_quiet_hours_span_midnight_and_hold_inside_any_window() -> None:
    quiet = QuietHours(time(21), time(7))
    rules = SendingRules(window=None, quiet_hours=quiet)
    assert rules.next_allowed(utc(2026, 6, 1, 20, 30), LJUBLJANA) == utc(2026, 6, 2, 5)
    assert rules.next_allowed(utc(2026, 6, 1, 4, 0), LJUBLJANA) == utc(2026, 6, 1, 5)
    assert rules.next_allowed(utc(2026, 6, 1, 12, 0), LJUBLJANA) == utc(2026, 6, 1, 12)
    # a journey's own late window still stops at the workspace's quiet hours
    late = SendWindow(frozenset(range(7)), time(18), time(23))
    assert SendingRules(EVERY_DAY_8_TO_20, quiet).next_allowed(
        utc(2026, 6, 1, 19, 30), LJUBLJANA, window=late
    ) == utc(2026, 6, 2, 16)


def test_quiet_hours_across_the_october_change() -> None:
    quiet = QuietHours(time(22), time(6))
    # 23:00 CEST on Saturday 24 Oct -> 06:00 CET on Sunday (one hour longer night)
    assert quiet.end_after(utc(2026, 10, 24, 21), LJUBLJANA) == utc(2026, 10, 25, 5)


def test_a_window_inside_the_quiet_hours_is_an_error() -> None:
    rules = SendingRules(
        window=SendWindow(frozenset(range(7)), time(1), time(3)),
        quiet_hours=QuietHours(time(0), time(5)),
    )
    with pytest.raises(ValueError, match="inside the quiet hours"):
        rules.next_allowed(utc(2026, 6, 1, 12), LJUBLJANA)


def test_the_cap_counts_any_seven_days() -> None:
    cap = FrequencyCap(3, timedelta(days=7))
    now = utc(2026, 3, 10, 12)
    sends = [utc(2026, 3, 3, 13), utc(2026, 3, 5, 9), utc(2026, 3, 9, 9)]
    assert cap.free_at(sends, now) == utc(2026, 3, 10, 13)  # when the oldest ages out
    assert cap.free_at(sends[1:], now) is None
    assert cap.free_at([utc(2026, 3, 1), *sends[1:]], now) is None  # older than 7 days
