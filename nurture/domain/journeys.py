"""Journeys: who enters, what they receive step by step, and when they leave."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from nurture.domain.comparison import matches_where
from nurture.domain.conditions import Condition, Facts, NoFacts, Subject
from nurture.domain.contacts import Profile, State
from nurture.domain.lifecycle import has_reached
from nurture.domain.steps import Step
from nurture.domain.windows import SendWindow


@dataclass(frozen=True)
class Trigger:
    """An event that opens the door: its type and property globs."""

    type: str
    where: Mapping[str, str] = field(default_factory=dict)

    def fired_by(self, event: TriggerEvent | None) -> bool:
        return (
            event is not None
            and event.type == self.type
            and matches_where(event.properties, self.where)
        )


@dataclass(frozen=True)
class TriggerEvent:
    type: str
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """A contact qualifies when its stage, band and grade are among those listed, the
    condition holds, and (with a trigger) the event that just happened fires it.

    An empty ``bands`` or ``grades`` means any; empty ``stages`` means any stage but
    disqualified.
    """

    stages: frozenset[str] = frozenset()
    bands: frozenset[str] = frozenset()
    grades: frozenset[str] = frozenset()
    when: Condition | None = None
    trigger: Trigger | None = None

    def admits(
        self,
        state: State,
        event: TriggerEvent | None = None,
        subject: Subject | None = None,
        facts: Facts | None = None,
    ) -> bool:
        if self.stages:
            if state.stage not in self.stages:
                return False
        elif state.stage == "disqualified":
            return False
        if (self.bands and state.band not in self.bands) or (
            self.grades and state.grade not in self.grades
        ):
            return False
        if self.trigger is not None and not self.trigger.fired_by(event):
            return False
        if self.when is not None:
            assert subject is not None, "an entry condition needs the contact"
            return self.when.holds(subject, facts or NoFacts())
        return True


@dataclass(frozen=True)
class Goal:
    """Leave the journey once the contact reaches ``stage``, does ``event``, or ``when`` holds."""

    stage: str | None = None
    event: str | None = None
    where: Mapping[str, str] = field(default_factory=dict)
    when: Condition | None = None

    def reached(
        self,
        state: State,
        event: TriggerEvent | None = None,
        subject: Subject | None = None,
        facts: Facts | None = None,
    ) -> bool:
        if self.stage is not None:
            return has_reached(state.stage, self.stage)
        if self.event is not None:
            return Trigger(self.event, self.where).fired_by(event)
        if self.when is not None and subject is not None:
            return self.when.holds(subject, facts or NoFacts())
        return False

    def describe(self) -> str:
        if self.stage:
            return f"stage {self.stage}"
        if self.event:
            return f"event {self.event}"
        return "condition"


@dataclass(frozen=True)
class Reentry:
    """May a contact that was in the journey before enter it again? never, after, always."""

    mode: Literal["never", "after", "always"] = "never"
    after: timedelta | None = None

    def allows(self, last_finished: datetime | None, now: datetime) -> bool:
        if self.mode == "always":
            return True
        if self.mode == "never" or last_finished is None:
            return False
        assert self.after is not None
        return now >= last_finished + self.after


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    entry: Entry
    steps: Sequence[Step]
    goals: Sequence[Goal] = field(default_factory=tuple)
    priority: int = 0
    reentry: Reentry = field(default_factory=Reentry)
    send_window: SendWindow | None = None
    migrate: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
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

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def goal_reached(
        self,
        state: State,
        event: TriggerEvent | None = None,
        subject: Subject | None = None,
        facts: Facts | None = None,
    ) -> Goal | None:
        for goal in self.goals:
            if goal.reached(state, event, subject, facts):
                return goal
        return None


def subject_of(profile: Profile, state: State, now: datetime) -> Subject:
    return Subject(profile, state, now)
