"""The shape of workspace files, as pydantic models (strict: unknown keys are errors).

These models are the single source of the file formats: the loader validates with them and
``nurture schema`` prints their JSON Schema.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from nurture.domain.comparison import OPS, Op
from nurture.domain.durations import parse_duration
from nurture.domain.events import STANDARD_EVENT_TYPES
from nurture.domain.lifecycle import ALL_STAGES

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)]
Stage = Literal[
    "subscriber",
    "lead",
    "mql",
    "sal",
    "sql",
    "opportunity",
    "customer",
    "recycled",
    "disqualified",
]
assert set(Stage.__args__) == set(ALL_STAGES)  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_duration), Field(examples=["2d", "1d 12h"])]


# --- one test of a value: fit rules and journey conditions share it --------------------

Scalar = str | int | float | bool


def _band(band: tuple[float, float]) -> tuple[float, float]:
    if band[0] >= band[1]:
        raise ValueError("[low, high] needs low below high, e.g. [50, 1000]")
    return band


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


class CompareSpec(Strict):
    """One test of a value; give exactly one of these keys (nurture.domain.comparison)."""

    equals: Scalar | None = Field(
        default=None, description="Same number, or same text ignoring case."
    )
    in_: list[Scalar] | None = Field(default=None, alias="in", description="Equals one of these.")
    not_in: list[Scalar] | None = Field(
        default=None, description="Equals none of these; a missing value passes."
    )
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    between: Annotated[tuple[float, float], AfterValidator(_band)] | None = Field(
        default=None, description="[low, high): a band such as company size 50 to 1000."
    )
    matches: Annotated[str, AfterValidator(_regex)] | None = Field(
        default=None, description="A regular expression found in the value, ignoring case."
    )
    exists: bool | None = Field(default=None, description="true: the value is given, not empty.")

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        if len(self.tests) != 1:
            raise ValueError(f"give exactly one test: {_TESTS}")
        return self

    @property
    def tests(self) -> list[tuple[Op, Any]]:
        return [
            (op, value)
            for op in OPS
            if (value := getattr(self, "in_" if op == "in" else op)) is not None
        ]

    @property
    def test(self) -> tuple[Op, Any]:
        """The one test (validated to be exactly one)."""
        return self.tests[0]


_TESTS = ", ".join(OPS[:-1]) + f" or {OPS[-1]}"


# --- workspace settings ---------------------------------------------------------------


class SenderSpec(Strict):
    from_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    from_name: str
    postal_address: str = Field(description="Shown in every footer, as the law asks.")


class MqlSpec(Strict):
    score: int = Field(description="Score at which a contact with a good fit becomes an MQL.")
    grades: list[str] = Field(min_length=1, description="Fit grades that may become MQL.")


class LifecycleSpec(Strict):
    lead_events: list[str] = Field(min_length=1)
    mql: MqlSpec


Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
        raise ValueError(f"'{value}' is not a time of day: write HH:MM (24 h), e.g. 08:00")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time), Field(examples=["08:00", "18:30"])]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class RepSpec(Strict):
    email: Email
    available: bool = Field(default=True, description="false: skipped by assignment (leave).")


class RouteSpec(Strict):
    field: str = Field(description="A profile field (country, industry, ...) or attribute.")
    in_: list[str] = Field(alias="in", min_length=1, description="Values that take this route.")
    reps: list[Email] = Field(min_length=1, description="Reps of the team, round-robin order.")


class BusinessHoursSpec(Strict):
    timezone: str | None = Field(default=None, description="Default: the workspace's timezone.")
    days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], min_length=1)
    opens: ClockTime = "09:00"
    closes: ClockTime = "17:00"
    holidays: list[date] = Field(default_factory=list)


class EscalationSpec(Strict):
    action: Literal["reassign", "notify_manager"] = "reassign"
    manager: Email | None = Field(
        default=None, description="Told of a breach (and of any the team cannot absorb)."
    )


class NotifySpec(Strict):
    webhook: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="CRM URL; NURTURE_CRM_WEBHOOK_URL overrides it. Signed with "
        "NURTURE_CRM_WEBHOOK_SECRET.",
    )
    email_owner: bool = Field(default=False, description="Email the assigned rep.")


class HandoffSpec(Strict):
    team: list[Email | RepSpec] = Field(
        min_length=1, description="Sales reps, in round-robin order."
    )
    routes: list[RouteSpec] = Field(
        default_factory=list, description="Territory or segment rules; first match wins."
    )
    sla: Duration = Field(description="How fast sales must accept a new MQL.")
    business_hours: BusinessHoursSpec | None = Field(
        default=None, description="When set, the SLA counts only open hours."
    )
    escalation: EscalationSpec = Field(default_factory=EscalationSpec)
    notify: NotifySpec = Field(default_factory=NotifySpec)

    @property
    def reps(self) -> list[RepSpec]:
        return [RepSpec(email=r) if isinstance(r, str) else r for r in self.team]


class WorkspaceSpec(Strict):
    sender: SenderSpec
    timezone: str = "UTC"
    event_types: list[Identifier] = Field(
        default_factory=list, description="Custom event types, besides the standard ones."
    )
    lifecycle: LifecycleSpec
    handoff: HandoffSpec
    sending: SendingSpec = Field(default_factory=lambda: SendingSpec())

    @property
    def known_events(self) -> frozenset[str]:
        return STANDARD_EVENT_TYPES | set(self.event_types)


# --- sending (workspace.yaml ``sending:``) ---------------------------------------------


class SendingWindowSpec(Strict):
    days: list[Weekday] = Field(min_length=1, description="Days email may go out.")
    start: ClockTime = Field(description="Opens at this local time (the contact's zone).")
    end: ClockTime = Field(description="Closes at this local time (excluded).")

    @model_validator(mode="after")
    def _opens_before_closing(self) -> SendingWindowSpec:
        if self.start >= self.end:
            raise ValueError("a send window must open before it closes (no windows over midnight)")
        return self


class QuietHoursSpec(Strict):
    start: ClockTime = Field(description="No email from this local time...")
    end: ClockTime = Field(description="...until this one; may span midnight (22:00 to 07:00).")

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHoursSpec:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        return self


class FrequencyCapSpec(Strict):
    max: int = Field(ge=1, description="At most this many emails to one contact...")
    per: Duration = Field(description="...in any period this long, across all journeys.")
    when_capped: Literal["wait", "skip"] = Field(
        default="wait", description="A capped step waits until allowed, or is skipped."
    )


class SendingSpec(Strict):
    window: SendingWindowSpec | None = Field(
        default=None, description="Default send window; a journey's own window replaces it."
    )
    quiet_hours: QuietHoursSpec | None = None
    frequency_cap: FrequencyCapSpec | None = None


# --- scoring --------------------------------------------------------------------------


class CapSpec(Strict):
    count: int = Field(ge=1, description="Awards allowed within any window of `per`.")
    per: Duration


class DecaySpec(Strict):
    half_life: Duration | None = Field(default=None, description="Points halve every...")
    amount: int | None = Field(default=None, ge=1, description="Points taken off every `every`.")
    every: Duration | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> DecaySpec:
        if (self.half_life is not None) == (self.amount is not None or self.every is not None):
            raise ValueError("a decay has either half_life, or amount and every")
        if (self.amount is None) != (self.every is None):
            raise ValueError("a decay by amount needs both amount and every")
        return self


class BehaviourSpec(Strict):
    id: Identifier
    event: str
    where: dict[str, str] = Field(
        default_factory=dict, description="Property globs: url, content_type, form, ..."
    )
    points: int
    cap: CapSpec | None = Field(default=None, description="At most `count` awards per `per`.")
    decay: DecaySpec | None = None


class InactivitySpec(Strict):
    after: Duration = Field(description="Silence that costs points, e.g. 30d; repeats.")
    points: int = Field(lt=0, description="Points off (negative) for each such period.")


class FitSpec(CompareSpec):
    """Points for a profile field that passes one test (the same tests as a condition's)."""

    id: Identifier
    field: str = Field(description="A contact field (company_size, country, ...) or attribute.")
    points: int


class ScoringSpec(Strict):
    behaviour: list[BehaviourSpec] = Field(default_factory=list)
    fit: list[FitSpec] = Field(default_factory=list)
    bands: dict[str, int] = Field(min_length=1, description="Band name: minimum score.")
    grades: dict[str, int] = Field(min_length=1, description="Grade name: minimum fit points.")
    inactivity: InactivitySpec | None = None
    matrix: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Grade: {band: what to do}, the score x grade matrix."
    )
