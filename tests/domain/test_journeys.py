from datetime import timedelta

import pytest

from nurture.domain.contacts import State
from nurture.domain.journeys import Entry, Goal, Journey, TriggerEvent
from nurture.domain.steps import SendStep, WaitStep

WELCOME = SendStep("welcome", "welcome")
PAUSE = WaitStep("pause", timedelta(days=2))
GUIDE = SendStep("guide", "getting-started")


def state(stage: str = "lead", band: str = "cold", grade: str = "C", score: int = 0) -> State:
    return State(stage=stage, score=score, band=band, grade=grade)


def journey(
    *goals: Goal, steps: tuple[SendStep | WaitStep, ...] = (WELCOME, PAUSE, GUIDE)
) -> Journey:
    return Journey("welcome", "Welcome", Entry(frozenset({"lead"})), steps, goals)


# --- entry ----------------------------------------------------------------------------


def test_entry_with_only_stages_admits_any_band_and_grade() -> None:
    entry = Entry(stages=frozenset({"lead", "recycled"}))
    assert entry.admits(state("lead", band="hot", grade="D"))
    assert entry.admits(state("recycled"))
    assert not entry.admits(state("subscriber"))
    assert not entry.admits(state("mql"))


@pytest.mark.parametrize(
    ("band", "grade", "admitted"),
    [("warm", "A", True), ("hot", "B", True), ("cold", "A", False), ("warm", "C", False)],
)
def test_entry_needs_stage_band_and_grade_all_listed(band: str, grade: str, admitted: bool) -> None:
    entry = Entry(
        stages=frozenset({"lead"}),
        bands=frozenset({"warm", "hot"}),
        grades=frozenset({"A", "B"}),
    )
    assert entry.admits(state("lead", band=band, grade=grade)) is admitted


def test_entry_with_bands_still_checks_the_stage() -> None:
    entry = Entry(stages=frozenset({"lead"}), bands=frozenset({"hot"}))
    assert not entry.admits(state("subscriber", band="hot"))


# --- goals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "reached"),
    [
        ("lead", False),
        ("recycled", False),
        ("mql", True),
        ("customer", True),
        ("disqualified", False),
    ],
)
def test_stage_goal_is_reached_at_that_stage_or_later(stage: str, reached: bool) -> None:
    assert Goal(stage="mql").reached(state(stage)) is reached


def test_event_goal_is_reached_by_that_event_only() -> None:
    goal = Goal(event="demo_requested")
    assert goal.reached(state(), TriggerEvent("demo_requested"))
    assert not goal.reached(state(), TriggerEvent("page_viewed"))
    assert not goal.reached(state("customer"), None)


def test_goal_describe() -> None:
    assert Goal(stage="mql").describe() == "stage mql"
    assert Goal(event="demo_requested").describe() == "event demo_requested"


# --- journey --------------------------------------------------------------------------


def test_first_is_the_first_step() -> None:
    assert journey().first == WELCOME
    assert journey(steps=()).first is None


def test_after_walks_the_steps_then_ends() -> None:
    subject = journey()
    assert subject.after("welcome") == PAUSE
    assert subject.after("pause") == GUIDE
    assert subject.after("guide") is None


def test_step_by_id() -> None:
    assert journey().step("pause") == PAUSE
    assert journey().step("gone") is None
    assert journey().step(None) is None


def test_goal_reached_returns_the_first_goal_that_holds() -> None:
    demo, mql = Goal(event="demo_requested"), Goal(stage="mql")
    subject = journey(demo, mql)
    assert subject.goal_reached(state("mql"), TriggerEvent("demo_requested")) == demo
    assert subject.goal_reached(state("mql")) == mql
    assert subject.goal_reached(state("lead"), TriggerEvent("page_viewed")) is None


def test_journey_without_goals_is_never_left_by_goal() -> None:
    assert journey().goal_reached(state("customer"), TriggerEvent("demo_requested")) is None
