"""The SLA clock: open hours only, in the office's time zone, holidays skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from nurture.domain.business_hours import BusinessHours

OFFICE = BusinessHours("Europe/Ljubljana")
H = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_within_one_day() -> None:
    # Monday 09:00 UTC is 10:00 in Ljubljana (UTC+1 in March).
    assert OFFICE.add(utc(2026, 3, 2, 9), 4 * H) == utc(2026, 3, 2, 13)


def test_friday_afternoon_runs_over_the_weekend_into_monday() -> None:
    assert OFFICE.add(utc(2026, 3, 6, 14), 8 * H) == utc(2026, 3, 9, 14)


def test_outside_hours_the_clock_starts_at_the_next_opening() -> None:
    saturday = utc(2026, 3, 7, 12)
    assert OFFICE.add(saturday, H) == utc(2026, 3, 9, 9)  # Monday 10:00 local
    assert OFFICE.add(utc(2026, 3, 3, 20), 8 * H) == utc(2026, 3, 4, 16)


def test_holidays_are_closed() -> None:
    office = BusinessHours("Europe/Ljubljana", holidays=frozenset({date(2026, 3, 9)}))
    assert office.add(utc(2026, 3, 6, 14), 8 * H) == utc(2026, 3, 10, 14)


def test_daylight_saving_keeps_local_opening_hours() -> None:
    # 2026-03-29 clocks go forward in Europe: Monday 30 March opens at 09:00 CEST = 07:00 UTC.
    assert OFFICE.add(utc(2026, 3, 27, 15), 2 * H) == utc(2026, 3, 30, 8)


def test_hours_must_open_before_they_close() -> None:
    with pytest.raises(ValueError):
        BusinessHours("UTC", opens=time(17), closes=time(9))
