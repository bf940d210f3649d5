"""The collector is off while any chunk runs and comes back as it was when the last ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from nurture.engine.intake.collector import collector_held


@pytest.fixture
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_held_for_the_block_and_back_on_after() -> None:
    with collector_held():
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_overlapping_blocks_share_one_hold() -> None:
    outer, inner = collector_held(), collector_held()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first to begin ends first, as threads may
    assert not gc.isenabled()
    inner.__exit__(None, None, None)
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_held():
        raise RuntimeError
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()
    with collector_held():
        pass
    assert not gc.isenabled()
