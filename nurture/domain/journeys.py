"""Journeys: who enters, what they receive step by step, and when they leave."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from nurture.domain.contacts import State
from nurture.domain.lifecycle import has_reached
from nurture.domain.steps import Step


@dataclass(frozen=True)
class Entry:
    """A contact qualifies when its stage, band and grade are all among those listed.

    An empty ``bands`` or ``grades`` means any.
    """

    stages: frozenset[str]
    bands: frozenset[str] = frozenset()
    grades: frozenset[str] = frozenset()

    def admits(self, state: State) -> bool:
        return (
            state.stage in self.stages
            and (not self.bands or state.band in self.bands)
            and (not self.grades or state.grade in self.grades)
        )


@dataclass(frozen=True)
class Goal:
    """Leave the journey once the contact reaches ``stage`` or does an ``event``."""

    stage: str | None = None
    event: str | None = None

    def reached(self, state: State, event_types: Collection[str]) -> bool:
        if self.stage is not None and has_reached(state.stage, self.stage):
            return True
        return self.event is not None and self.event in event_types

    def describe(self) -> str:
        return f"stage {self.stage}" if self.stage else f"event {self.event}"


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    entry: Entry
    steps: Sequence[Step]
    goals: Sequence[Goal] = field(default_factory=tuple)
    priority: int = 0
    when_capped: str | None = None
    """"wait" or "skip" when the frequency cap holds a send; None: the workspace's choice."""

    def step(self, step_id: str | None) -> Step | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None

    def after(self, step_id: str) -> Step | None:
        ids = [s.id for s in self.steps]
        position = ids.index(step_id) + 1
        return self.steps[position] if position < len(self.steps) else None

    @property
    def first(self) -> Step | None:
        return self.steps[0] if self.steps else None

    def goal_reached(self, state: State, event_types: Collection[str] = ()) -> Goal | None:
        for goal in self.goals:
            if goal.reached(state, event_types):
                return goal
        return None
