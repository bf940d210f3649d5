"""Send windows open at local wall-clock times, on both sides of a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from nurture.domain.windows import SendWindow

WEEKDAYS_9_TO_17 = SendWindow(frozenset(range(5)), time(9), time(17))
LJUBLJANA = "Europe/Ljubljana"


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        # Friday 03:00 local (CET) -> the same day at 09:00 local = 08:00 UTC.
        (datetime(2026, 3, 27, 2, 0, tzinfo=UTC), datetime(2026, 3, 27, 8, 0, tzinfo=UTC)),
        # Saturday before the March change -> Monday 09:00 CEST = 07:00 UTC.
        (datetime(2026, 3, 28, 2, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # Friday after hours before the October change -> Monday 09:00 CET = 08:00 UTC.
        (datetime(2026, 10, 23, 17, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
        # Already open: now.
        (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_opening_in_local_time(moment: datetime, opening: datetime) -> None:
    assert WEEKDAYS_9_TO_17.next_opening(moment, LJUBLJANA) == opening


def test_an_opening_inside_the_spring_forward_gap_moves_to_the_first_real_minute() -> None:
    nightly = SendWindow(frozenset(range(7)), time(2, 30), time(5))
    opening = nightly.next_opening(datetime(2026, 3, 29, 0, 0, tzinfo=UTC), LJUBLJANA)
    assert opening == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert nightly.is_open(opening, LJUBLJANA)


def test_the_window_closes_at_its_end() -> None:
    assert not WEEKDAYS_9_TO_17.is_open(datetime(2026, 3, 30, 15, 0, tzinfo=UTC), LJUBLJANA)
    assert WEEKDAYS_9_TO_17.is_open(datetime(2026, 3, 30, 14, 59, tzinfo=UTC), LJUBLJANA)


@pytest.mark.parametrize(("days", "start", "end"), [(frozenset(), 9, 17), (frozenset({0}), 17, 9)])
def test_impossible_windows_are_refused(days: frozenset[int], start: int, end: int) -> None:
    with pytest.raises(ValueError):
        SendWindow(days, time(start), time(end))
