"""The one rule for incoming times: zoneless is UTC, a range from a setting, no overflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nurture.settings import load_settings
from nurture.times import LATEST, TimeRange, from_unix, parse_time

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_time_without_a_zone_is_utc_and_others_are_converted() -> None:
    assert parse_time("2026-03-02T09:00") == NOW
    assert parse_time("2026-03-02T10:00+01:00") == NOW
    assert parse_time(" 2026-03-02T09:00:00Z ") == NOW


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"]
)
def test_a_time_with_no_utc_equivalent_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="has no equivalent in UTC"):
        parse_time(text)


def test_an_unreadable_time_says_the_accepted_form() -> None:
    with pytest.raises(ValueError, match="use an ISO time such as 2026-03-04T09:00:00Z"):
        parse_time("2026-03-04T25:00:00Z")


def test_the_default_range_is_from_2000_to_a_day_ahead_of_the_clock() -> None:
    rule = load_settings().time_range
    assert rule.problem(datetime(2000, 1, 1, tzinfo=UTC), NOW) is None
    assert rule.problem(NOW + timedelta(days=1), NOW) is None
    early = rule.problem(datetime(1999, 12, 31, 23, 59, tzinfo=UTC), NOW)
    assert early is not None and "NURTURE_TIME_EARLIEST" in early
    ahead = rule.problem(NOW + timedelta(days=1, seconds=1), NOW)
    assert ahead == (
        "2026-03-03T09:00:01+00:00 is more than 1d ahead of the clock (2026-03-02T09:00:00+00:00):"
        " send events once they have happened (NURTURE_TIME_AHEAD)"
    )


def test_the_range_is_a_setting() -> None:
    rule = load_settings(time_earliest="2020-01-01T00:00:00+01:00", time_ahead="5m").time_range
    assert rule == TimeRange(datetime(2019, 12, 31, 23, tzinfo=UTC), timedelta(minutes=5))
    assert rule.problem(NOW + timedelta(minutes=6), NOW) is not None
    assert load_settings(time_ahead="0").time_range.problem(NOW + timedelta(seconds=1), NOW)


def test_a_time_that_sets_the_clock_is_bounded_by_the_latest_time() -> None:
    rule = TimeRange()
    assert rule.problem(datetime(2150, 1, 1, tzinfo=UTC), None) is None
    assert rule.problem(LATEST, None) == (
        "2200-01-01T00:00:00+00:00 is too late: no time from 2200 on is accepted"
    )


@pytest.mark.parametrize(
    "value", [float("inf"), float("-inf"), float("nan"), 1e20, -1e20, True, "1"]
)
def test_unix_times_must_be_finite_numbers_in_range(value: object) -> None:
    with pytest.raises(ValueError):
        from_unix(value)


def test_a_unix_time_is_utc() -> None:
    assert from_unix(NOW.timestamp()) == NOW
