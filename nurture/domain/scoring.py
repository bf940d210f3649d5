"""Lead scoring: behaviour rules award points for events, fit rules for who the contact is.

The score is the sum of awarded points (the ledger); the band comes from the score, the grade
from the fit points alone. An MQL needs both (see :mod:`nurture.domain.lifecycle`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from nurture.domain.comparison import Op, compare, describe, matches_where
from nurture.domain.contacts import Profile
from nurture.domain.decay import Decay, Inactivity
from nurture.domain.events import Event


@dataclass(frozen=True)
class Award:
    """Points given by one rule, with the words that explain them."""

    rule: str
    points: int
    reason: str


@dataclass(frozen=True)
class Cap:
    """At most ``count`` awards of a rule within any ``per`` window."""

    count: int
    per: timedelta


@dataclass(frozen=True)
class BehaviourRule:
    """Points for an event of ``event`` type whose properties match every ``where`` glob."""

    id: str
    event: str
    points: int
    where: Mapping[str, str] = field(default_factory=dict)
    cap: Cap | None = None
    decay: Decay | None = None

    def allows(self, given: Sequence[datetime], at: datetime) -> bool:
        """Whether one more award at ``at`` stays within the cap, given earlier award times."""
        if self.cap is None:
            return True
        recent = [moment for moment in given if at - moment < self.cap.per]
        return len(recent) < self.cap.count

    def explain(self, event: Event) -> str:
        return f"{event.type} {_describe(event)}".strip()

    def matches(self, event: Event) -> bool:
        return event.type == self.event and matches_where(event.properties, self.where)


@dataclass(frozen=True)
class FitRule:
    """Points for a profile field that passes the test ``op`` with ``value`` (comparison)."""

    id: str
    field: str
    op: Op
    value: Any
    points: int

    def describe(self) -> str:
        return describe(self.field, self.op, self.value)

    def matches(self, profile: Profile) -> bool:
        return compare(profile.value(self.field), self.op, self.value)


@dataclass(frozen=True)
class Threshold:
    """A named level reached at ``minimum`` points (a score band or a fit grade)."""

    name: str
    minimum: int


@dataclass(frozen=True)
class ScoringModel:
    behaviour: Sequence[BehaviourRule]
    fit: Sequence[FitRule]
    bands: Sequence[Threshold]
    grades: Sequence[Threshold]
    inactivity: Inactivity | None = None
    matrix: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Grade -> band -> what to do with such a contact (the score x grade matrix)."""

    def __post_init__(self) -> None:
        for levels, what in ((self.bands, "band"), (self.grades, "grade")):
            if not levels:
                raise ValueError(f"a scoring model needs at least one {what}")

    def rules_for(self, event_type: str) -> tuple[BehaviourRule, ...]:
        """The behaviour rules an event of this type can match, in the model's order."""
        return self._rules_by_event.get(event_type, ())

    @cached_property
    def _rules_by_event(self) -> dict[str, tuple[BehaviourRule, ...]]:
        """A rule names one event type exactly, so an event needs only its type's rules."""
        index: dict[str, list[BehaviourRule]] = {}
        for rule in self.behaviour:
            index.setdefault(rule.event, []).append(rule)
        return {event_type: tuple(rules) for event_type, rules in index.items()}

    @cached_property
    def decaying(self) -> tuple[BehaviourRule, ...]:
        """The behaviour rules whose awards decay, in the model's order."""
        return tuple(rule for rule in self.behaviour if rule.decay is not None)

    def score_event(self, event: Event) -> list[Award]:
        return [
            Award(rule.id, rule.points, f"{event.type} {_describe(event)}".strip())
            for rule in self.rules_for(event.type)
            if rule.matches(event)
        ]

    def fit_points(self, profile: Profile) -> dict[str, int]:
        """Points each fit rule gives this profile now (rules that do not match give 0)."""
        return {rule.id: (rule.points if rule.matches(profile) else 0) for rule in self.fit}

    def action(self, grade: str, band: str) -> str | None:
        """The matrix cell for this grade and band, if the model has a matrix."""
        return self.matrix.get(grade, {}).get(band)

    def band(self, score: int) -> str:
        return _level(self._bands_ascending, score)

    def grade(self, fit_points: int) -> str:
        return _level(self._grades_ascending, fit_points)

    @cached_property
    def _bands_ascending(self) -> list[Threshold]:
        return sorted(self.bands, key=lambda t: t.minimum)

    @cached_property
    def _grades_ascending(self) -> list[Threshold]:
        return sorted(self.grades, key=lambda t: t.minimum)

    @property
    def band_names(self) -> list[str]:
        return [b.name for b in self.bands]

    @property
    def grade_names(self) -> list[str]:
        return [g.name for g in self.grades]


def _level(ordered: Sequence[Threshold], points: int) -> str:
    """The highest level whose minimum the points reach, or the lowest level (``ordered`` by
    minimum)."""
    chosen = ordered[0].name
    for level in ordered:
        if points >= level.minimum:
            chosen = level.name
    return chosen


def _describe(event: Event) -> str:
    for key in ("url", "title", "form", "webinar", "content_type"):
        if key in event.properties:
            return str(event.properties[key])
    return ""
