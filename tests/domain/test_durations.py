from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nurture.domain.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", timedelta(days=2)),
        ("36h", timedelta(hours=36)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("1w 2d", timedelta(days=9)),
        ("1d12h", timedelta(hours=36)),
        ("  3 h ", timedelta(hours=3)),
        ("1d 1d", timedelta(days=2)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "d", "2x", "2 days", "1.5d", "-1d", "2d and 3h"])
def test_parse_duration_rejects_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_duration(text)
    assert str(raised.value) == (
        f"{text!r} is not a duration: write a number and a unit (w, d, h, m, s), e.g. 2d or 1d 12h"
    )


@pytest.mark.parametrize("text", ["0d", "0h 0m"])
def test_parse_duration_rejects_zero(text: str) -> None:
    with pytest.raises(ValueError, match="must be longer than zero"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=36), "1d 12h"),
        (timedelta(weeks=2), "14d"),
        (timedelta(minutes=90, seconds=5), "1h 30m 5s"),
        (timedelta(days=1, seconds=1), "1d 1s"),
        (timedelta(), "0s"),
        (timedelta(milliseconds=999), "0s"),
    ],
)
def test_format_duration(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


@given(st.integers(min_value=1, max_value=10**9))
def test_format_then_parse_round_trips(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta
