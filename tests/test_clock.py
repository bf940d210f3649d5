import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from nurture.clock import AcceleratedClock, ManualClock, SystemClock, as_utc

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))


def test_as_utc() -> None:
    assert as_utc(datetime(2026, 3, 2, 8, 0)) == START
    converted = as_utc(datetime(2026, 3, 2, 9, 0, tzinfo=CET))
    assert converted.tzinfo is UTC
    assert converted.hour == 8


# --- ManualClock ----------------------------------------------------------------------


def test_manual_clock_stands_still() -> None:
    clock = ManualClock(START)
    assert clock.now() == START
    assert clock.now() == START


def test_manual_clock_naive_start_is_utc() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0))
    assert clock.now() == START
    assert clock.now().tzinfo is UTC


def test_manual_clock_aware_start_is_converted_to_utc() -> None:
    now = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=CET)).now()
    assert (now.tzinfo, now.hour) == (UTC, 8)


def test_manual_clock_set() -> None:
    clock = ManualClock(START)
    clock.set(datetime(2026, 3, 5, 12, 0))
    assert clock.now() == datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def test_manual_clock_advance_adds_delta_and_units() -> None:
    clock = ManualClock(START)
    returned = clock.advance(timedelta(days=1), hours=2, minutes=30, seconds=5)
    assert returned == START + timedelta(days=1, hours=2, minutes=30, seconds=5)
    assert clock.now() == returned


def test_manual_clock_advance_by_nothing_stays() -> None:
    clock = ManualClock(START)
    assert clock.advance() == START


def test_manual_clock_advance_accumulates() -> None:
    clock = ManualClock(START)
    clock.advance(days=1.5)
    clock.advance(hours=12)
    assert clock.now() == START + timedelta(days=2)


@pytest.mark.parametrize(
    "move", [{"delta": timedelta(seconds=-1)}, {"days": -1}, {"days": 1, "hours": -25}]
)
def test_manual_clock_refuses_to_advance_backwards(move: dict) -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="never moves backwards"):
        clock.advance(**move)
    assert clock.now() == START


def test_manual_clock_refuses_to_be_set_backwards() -> None:
    clock = ManualClock(START)
    with pytest.raises(ValueError, match="never moves backwards"):
        clock.set(START - timedelta(seconds=1))
    assert clock.now() == START


# --- AcceleratedClock -----------------------------------------------------------------


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The real Unix time the clocks read, as a one-item list the test moves."""
    now = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_accelerated_clock_reads_start_at_its_epoch(wall: list[float]) -> None:
    clock = AcceleratedClock(START, 86400, epoch=wall[0])
    assert clock.now() == START


def test_accelerated_clock_runs_speed_times_faster(wall: list[float]) -> None:
    clock = AcceleratedClock(START, 86400, epoch=wall[0])
    wall[0] += 1.5
    assert clock.now() == START + timedelta(days=1.5)


def test_accelerated_clock_at_speed_one_is_real_time(wall: list[float]) -> None:
    clock = AcceleratedClock(START, 1, epoch=wall[0] - 90)
    assert clock.now() == START + timedelta(seconds=90)


def test_accelerated_clocks_of_two_processes_agree(wall: list[float]) -> None:
    """A clock built later from the same start and epoch reads the same virtual time."""
    epoch = wall[0]
    first = AcceleratedClock(START, 3600, epoch=epoch)
    wall[0] += 10
    second = AcceleratedClock(START, 3600, epoch=epoch)
    assert first.now() == second.now() == START + timedelta(hours=10)


def test_accelerated_clock_without_epoch_starts_now(wall: list[float]) -> None:
    clock = AcceleratedClock(datetime(2026, 3, 2, 8, 0), 60)
    wall[0] += 2
    assert clock.now() == START + timedelta(minutes=2)


@pytest.mark.parametrize("speed", [0, -1])
def test_accelerated_clock_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(ValueError, match="speed must be positive"):
        AcceleratedClock(START, speed, epoch=0)


# --- SystemClock ----------------------------------------------------------------------


def test_system_clock_follows_freezegun() -> None:
    with freeze_time("2026-03-02 08:00:00") as frozen:
        clock = SystemClock()
        assert clock.now() == START
        frozen.tick(timedelta(hours=3))
        assert clock.now() == START + timedelta(hours=3)


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert abs(now.timestamp() - time.time()) < 5
