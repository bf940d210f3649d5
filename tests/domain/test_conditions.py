"""The condition language: data evaluated against the contact and a read model, never code."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from nurture.domain.comparison import compare
from nurture.domain.conditions import (
    All,
    Any_,
    Compare,
    EventCount,
    NoFacts,
    Not,
    StateIn,
    StepOutcome,
    Subject,
)
from nurture.domain.contacts import Profile, State

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
ANA = Subject(
    Profile("ana@acme.com", company_size=250, country="SI", attributes={"plan": "Pro"}),
    State("lead", 30, "warm", "A"),
    NOW,
)


class Events:
    """Facts over a list of (type, properties, time)."""

    def __init__(self, *events: tuple[str, dict[str, str], datetime]) -> None:
        self.events = events

    def count_events(self, type: str, where: Mapping[str, str], since: datetime | None) -> int:
        return sum(
            1
            for t, props, at in self.events
            if t == type
            and all(props.get(k, "").startswith(v.rstrip("*")) for k, v in where.items())
            and (since is None or at >= since)
        )

    def step_outcome(self, step: str, outcome: str) -> bool:
        return (step, outcome) == ("hello", "clicked")


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (StateIn("stage", frozenset({"lead", "recycled"})), True),
        (StateIn("band", frozenset({"hot"})), False),
        (Compare("score", "gte", 30), True),
        (Compare("score", "gt", 30), False),
        (Compare("company_size", "lt", 50), False),
        (Compare("country", "in", ["si", "hr"]), True),
        (Compare("plan", "equals", "pro"), True),
        (Compare("industry", "exists", True), False),
        (Compare("industry", "not_in", ["retail"]), True),
        (Compare("country", "matches", "^S"), True),
        (All((Compare("score", "gte", 10), Not(StateIn("grade", frozenset({"D"}))))), True),
        (Any_((StateIn("stage", frozenset({"mql"})), Compare("score", "lt", 0))), False),
    ],
)
def test_conditions_on_the_contact(condition, holds: bool) -> None:  # type: ignore[no-untyped-def]
    assert condition.holds(ANA, NoFacts()) is holds


def test_events_in_a_window_and_at_least_n_times() -> None:
    facts = Events(
        ("page_viewed", {"url": "/pricing"}, NOW - timedelta(days=20)),
        ("page_viewed", {"url": "/pricing/enterprise"}, NOW - timedelta(days=2)),
        ("page_viewed", {"url": "/blog"}, NOW - timedelta(days=1)),
        ("email_clicked", {}, NOW - timedelta(days=13)),
    )
    twice = EventCount("page_viewed", {"url": "/pricing*"}, at_least=2)
    assert twice.holds(ANA, facts)
    assert not EventCount("page_viewed", {"url": "/pricing*"}, timedelta(days=7), 2).holds(
        ANA, facts
    )
    assert EventCount("email_clicked", within=timedelta(days=14)).holds(ANA, facts)
    assert not EventCount("email_clicked", within=timedelta(days=7)).holds(ANA, facts)
    assert not EventCount("page_viewed", at_least=1, at_most=2).holds(ANA, facts)


def test_outcomes_of_earlier_steps() -> None:
    assert StepOutcome("hello", "clicked").holds(ANA, Events())
    assert not StepOutcome("hello", "opened").holds(ANA, Events())


def test_compare_never_raises_on_odd_values() -> None:
    assert compare("many", "gte", 3) is False
    assert compare(None, "equals", "x") is False
