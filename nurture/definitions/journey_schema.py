"""The shape of a journey file, as pydantic models (strict: unknown keys are errors).

These models are the single source of the journey format: the loader validates with them,
``nurture schema`` prints their JSON Schema, and docs/journeys.md describes every key.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from nurture.definitions.schema import CompareSpec, Identifier, Stage
from nurture.domain.durations import parse_duration
from nurture.domain.windows import WEEKDAYS

StepRef = Annotated[str, Field(description="The id of a step of this journey.")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
assert tuple(Weekday.__args__) == WEEKDAYS  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: str) -> str:
    parse_duration(value)
    return value


def _clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"{value!r} is not a time of day: write HH:MM, e.g. 09:00")
    return value


Duration = Annotated[str, AfterValidator(_duration), Field(examples=["2d", "1d 12h"])]
ClockTime = Annotated[str, AfterValidator(_clock), Field(examples=["09:00"])]
Where = Annotated[
    dict[str, str],
    Field(description="Event property globs, e.g. {url: '/pricing*'}; all must match."),
]


def parse_clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


# --- conditions ------------------------------------------------------------------------


class AttributeSpec(CompareSpec):
    name: str = Field(description="A contact field (company_size, country, ...) or attribute.")


class EventCondSpec(Strict):
    type: str = Field(description="Event type, e.g. page_viewed or email_clicked.")
    where: Where = Field(default_factory=dict)
    within: Duration | None = Field(default=None, description="Only events this recent.")
    at_least: int = Field(default=1, ge=1)
    at_most: int | None = Field(default=None, ge=0)


class StepCondSpec(Strict):
    id: StepRef
    outcome: Literal["sent", "opened", "clicked"]


class ConditionSpec(Strict):
    """Every key given must hold (an implicit 'all')."""

    all: list[ConditionSpec] | None = None
    any: list[ConditionSpec] | None = None
    not_: ConditionSpec | None = Field(default=None, alias="not")
    stage: list[Stage] | None = None
    band: list[str] | None = None
    grade: list[str] | None = None
    score: CompareSpec | None = None
    attribute: AttributeSpec | None = None
    event: EventCondSpec | None = None
    step: StepCondSpec | None = Field(
        default=None, description="The outcome of an earlier send step of this enrollment."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> ConditionSpec:
        if not self.model_fields_set - {"goto"}:
            raise ValueError(
                "an empty condition: use all, any, not, stage, band, grade, score, "
                "attribute, event or step"
            )
        return self


# --- entry, goals, window ----------------------------------------------------------------


class TriggerSpec(Strict):
    type: str = Field(description="The event type that enrolls the contact.")
    where: Where = Field(default_factory=dict)


class EntrySpec(Strict):
    stages: list[Stage] = Field(
        default_factory=list, description="Lifecycle stages that may enter; empty means any."
    )
    bands: list[str] = Field(default_factory=list, description="Score bands; empty means any.")
    grades: list[str] = Field(default_factory=list, description="Fit grades; empty means any.")
    when: ConditionSpec | None = None
    event: TriggerSpec | None = Field(
        default=None, description="Enroll when this event happens (and the rest holds)."
    )


class GoalSpec(Strict):
    stage: Stage | None = None
    event: str | None = None
    where: Where = Field(default_factory=dict)
    when: ConditionSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> GoalSpec:
        if sum(x is not None for x in (self.stage, self.event, self.when)) != 1:
            raise ValueError("a goal names exactly one of: stage, event, when")
        if self.where and self.event is None:
            raise ValueError("'where' filters an event goal: add 'event'")
        return self


class HoursSpec(Strict):
    start: ClockTime
    end: ClockTime


class SendWindowSpec(Strict):
    days: list[Weekday] = Field(min_length=1, examples=[["mon", "tue", "wed", "thu", "fri"]])
    hours: HoursSpec = Field(description="Local time in the contact's zone (else the workspace's).")

    @model_validator(mode="after")
    def _opens_before_closing(self) -> SendWindowSpec:
        if self.hours.start >= self.hours.end:
            raise ValueError("hours: start must be before end (no windows over midnight)")
        return self


def _reentry(value: str) -> str:
    if value in ("never", "always"):
        return value
    if not value.startswith("after "):
        raise ValueError(f"{value!r}: write never, always, or 'after DURATION' (e.g. after 90d)")
    _duration(value.removeprefix("after "))
    return value


Reentry = Annotated[
    str,
    AfterValidator(_reentry),
    Field(
        json_schema_extra={"pattern": r"^(never|always|after \d.*)$"},
        description="never (default), always, or 'after DURATION' such as 'after 90d'.",
        examples=["never", "always", "after 90d"],
    ),
]


# --- steps ------------------------------------------------------------------------------


class StepBase(Strict):
    id: Identifier


class SendSpec(StepBase):
    type: Literal["send"]
    template: str = Field(description="Template name: templates/NAME.html (and .txt, .subject)")
    subject: str | None = Field(default=None, description="Overrides the template's subject.")
    from_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    from_name: str | None = None
    reply_to: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")


class UntilSpec(Strict):
    day: Weekday
    time: ClockTime


class WaitSpec(StepBase):
    type: Literal["wait"]
    duration: Duration | None = None
    until: UntilSpec | None = Field(
        default=None, description="The next such weekday and time in the contact's zone."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> WaitSpec:
        if (self.duration is None) == (self.until is None):
            raise ValueError("a wait step needs either duration or until")
        return self


class WaitForSpec(StepBase):
    type: Literal["wait_for"]
    event: str
    where: Where = Field(default_factory=dict)
    of_step: StepRef | None = Field(
        default=None, description="Only events about the email of this earlier send step."
    )
    timeout: Duration
    then: StepRef | None = Field(default=None, description="Where to go when the event comes.")
    on_timeout: StepRef | None = Field(default=None, description="Where to go on timeout.")


class BranchCaseSpec(ConditionSpec):
    goto: StepRef


class BranchSpec(StepBase):
    type: Literal["branch"]
    branches: list[BranchCaseSpec] = Field(min_length=1)
    else_: StepRef | None = Field(default=None, alias="else")


class VariantSpec(Strict):
    name: Identifier
    weight: int = Field(ge=1)
    goto: StepRef | None = None


class SplitSpec(StepBase):
    type: Literal["split"]
    variants: list[VariantSpec] = Field(min_length=2)


class AddPointsSpec(Strict):
    points: int
    reason: str = Field(min_length=1)


class UpdateSpec(StepBase):
    type: Literal["update"]
    set: dict[str, str | int | float | bool] = Field(default_factory=dict)
    add_points: AddPointsSpec | None = None
    stage: Literal["recycled", "disqualified"] | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _does_something(self) -> UpdateSpec:
        if not self.set and self.add_points is None and self.stage is None:
            raise ValueError("an update step needs set, add_points or stage")
        if self.stage is not None and not self.reason:
            raise ValueError("a stage change needs a reason: add reason")
        return self


class OwnerEmailSpec(Strict):
    subject: str
    message: str = ""


class NotifySpec(StepBase):
    type: Literal["notify"]
    webhook: str | None = Field(default=None, pattern=r"^https?://")
    owner: OwnerEmailSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> NotifySpec:
        if (self.webhook is None) == (self.owner is None):
            raise ValueError("a notify step needs either webhook or owner")
        return self


class HandoffStepSpec(StepBase):
    type: Literal["handoff"]
    reason: str = ""


class GotoSpec(StepBase):
    type: Literal["goto"]
    step: StepRef


class EndSpec(StepBase):
    type: Literal["end"]
    reason: str = ""


STEP_TYPES = (
    "send",
    "wait",
    "wait_for",
    "branch",
    "split",
    "update",
    "notify",
    "handoff",
    "goto",
    "end",
)
AnyStepSpec = (
    SendSpec
    | WaitSpec
    | WaitForSpec
    | BranchSpec
    | SplitSpec
    | UpdateSpec
    | NotifySpec
    | HandoffStepSpec
    | GotoSpec
    | EndSpec
)
StepSpec = Annotated[AnyStepSpec, Field(discriminator="type")]


class JourneySpec(Strict):
    id: Identifier
    name: str
    description: str = ""
    priority: int = Field(
        default=0, description="When a contact qualifies for several journeys at once."
    )
    entry: EntrySpec
    reentry: Reentry = "never"
    goals: list[GoalSpec] = Field(default_factory=list)
    send_window: SendWindowSpec | None = None
    when_capped: Literal["wait", "skip"] | None = Field(
        default=None,
        description="When the frequency cap holds a send: wait, or skip the step. "
        "Unset: the workspace's sending.frequency_cap.when_capped.",
    )
    migrate: dict[str, StepRef] = Field(
        default_factory=dict,
        description="Move running enrollments from a step of an older version to a step.",
    )
    steps: list[StepSpec] = Field(min_length=1)


def journey_json_schema() -> dict[str, Any]:
    schema = JourneySpec.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://nurture.example/schema/journey.schema.json",
        "title": "nurture journey",
        **{k: v for k, v in schema.items() if k != "title"},
    }
