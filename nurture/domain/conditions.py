"""Conditions: one safe language for entry rules, goals and branches.

A condition is data (written in YAML as a mapping, checked at load), never code: it is a tree
of the nodes below, evaluated against the contact and a small read model of its history
(:class:`Facts`) that the engine builds. Nothing here evaluates strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from nurture.domain.comparison import Op, compare
from nurture.domain.contacts import Profile, State

Outcome = Literal["sent", "opened", "clicked"]


class Facts(Protocol):
    """What a condition may ask about the contact's history; the engine answers from storage."""

    def count_events(self, type: str, where: Mapping[str, str], since: datetime | None) -> int: ...

    def step_outcome(self, step: str, outcome: Outcome) -> bool: ...


@dataclass(frozen=True)
class Subject:
    """The contact a condition is evaluated for, at ``now``."""

    profile: Profile
    state: State
    now: datetime


@dataclass(frozen=True)
class All:
    parts: Sequence[Condition]

    def holds(self, subject: Subject, facts: Facts) -> bool:
        return all(part.holds(subject, facts) for part in self.parts)


@dataclass(frozen=True)
class Any_:
    parts: Sequence[Condition]

    def holds(self, subject: Subject, facts: Facts) -> bool:
        return any(part.holds(subject, facts) for part in self.parts)


@dataclass(frozen=True)
class Not:
    part: Condition

    def holds(self, subject: Subject, facts: Facts) -> bool:
        return not self.part.holds(subject, facts)


@dataclass(frozen=True)
class StateIn:
    """The contact's ``stage``, ``band`` or ``grade`` is one of ``values``."""

    attribute: Literal["stage", "band", "grade"]
    values: frozenset[str]

    def holds(self, subject: Subject, facts: Facts) -> bool:
        return str(getattr(subject.state, self.attribute)) in self.values


@dataclass(frozen=True)
class Compare:
    """A profile field, custom attribute or the score tested as fit rules test (comparison)."""

    name: str
    op: Op
    value: Any = None

    def holds(self, subject: Subject, facts: Facts) -> bool:
        actual = subject.state.score if self.name == "score" else subject.profile.value(self.name)
        return compare(actual, self.op, self.value)


@dataclass(frozen=True)
class EventCount:
    """At least ``at_least`` (and at most ``at_most``) events of ``type`` within ``within``."""

    type: str
    where: Mapping[str, str] = field(default_factory=dict)
    within: timedelta | None = None
    at_least: int = 1
    at_most: int | None = None

    def holds(self, subject: Subject, facts: Facts) -> bool:
        since = subject.now - self.within if self.within is not None else None
        count = facts.count_events(self.type, self.where, since)
        return count >= self.at_least and (self.at_most is None or count <= self.at_most)


@dataclass(frozen=True)
class StepOutcome:
    """The email of an earlier step of this enrollment was sent / opened / clicked."""

    step: str
    outcome: Outcome

    def holds(self, subject: Subject, facts: Facts) -> bool:
        return facts.step_outcome(self.step, self.outcome)


Condition = All | Any_ | Not | StateIn | Compare | EventCount | StepOutcome


class NoFacts:
    """Facts of a contact with no history (tests, previews)."""

    def count_events(self, type: str, where: Mapping[str, str], since: datetime | None) -> int:
        return 0

    def step_outcome(self, step: str, outcome: Outcome) -> bool:
        return False


def walk(condition: Condition) -> list[Condition]:
    """The condition and every node below it."""
    nodes: list[Condition] = [condition]
    if isinstance(condition, All | Any_):
        for part in condition.parts:
            nodes += walk(part)
    elif isinstance(condition, Not):
        nodes += walk(condition.part)
    return nodes
