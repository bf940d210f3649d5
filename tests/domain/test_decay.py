"""Decay and inactivity are functions of time alone, so late sweeps and replays agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nurture.domain.decay import Decay, Inactivity

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_half_life_halves_the_points_each_period() -> None:
    decay = Decay(half_life=30 * DAY)
    assert [decay.value(8, n * 30 * DAY) for n in range(4)] == [8, 4, 2, 1]
    assert decay.value(8, 15 * DAY) == 6  # 8 / sqrt(2), rounded


def test_a_fixed_amount_comes_off_each_period_and_never_below_zero() -> None:
    decay = Decay(amount=3, every=10 * DAY)
    assert [decay.value(10, n * 10 * DAY) for n in range(5)] == [10, 7, 4, 1, 0]
    assert decay.value(10, 10 * DAY - timedelta(seconds=1)) == 10


def test_negative_points_and_the_future_do_not_decay() -> None:
    decay = Decay(half_life=DAY)
    assert decay.value(-20, 10 * DAY) == -20
    assert decay.value(8, -DAY) == 8


@pytest.mark.parametrize(
    "kwargs", [{}, {"half_life": DAY, "amount": 1, "every": DAY}, {"amount": 1}]
)
def test_a_decay_is_either_half_life_or_amount_and_every(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="either"):
        Decay(**kwargs)  # type: ignore[arg-type]


def test_inactivity_is_due_after_each_full_period_of_silence() -> None:
    rule = Inactivity(after=30 * DAY, points=-10)
    assert rule.due(T0, None, T0 + 30 * DAY - timedelta(seconds=1)) == []
    assert rule.due(T0, None, T0 + 75 * DAY) == [T0 + 30 * DAY, T0 + 60 * DAY]
    # What was already applied (up to ``since``) is not due again.
    assert rule.due(T0, T0 + 30 * DAY, T0 + 75 * DAY) == [T0 + 60 * DAY]
