"""Step types of a journey and what each asks the engine to do next.

Each step type is a small frozen dataclass; :func:`next_action` is the state machine that
turns "standing on this step since then, at now" into one :data:`Action`. Steps with an
external effect (send, notify, handoff, update) return :class:`Send` or :class:`Perform`,
so the engine keeps the idempotency protocol in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from nurture.domain.conditions import Condition, Facts, NoFacts, Subject


@dataclass(frozen=True)
class SendStep:
    """Send one email rendered from ``template``."""

    id: str
    template: str
    subject: str | None = None
    from_email: str | None = None
    from_name: str | None = None
    reply_to: str | None = None


@dataclass(frozen=True)
class WeeklyTime:
    """A weekday (0 = Monday) and a local time, such as Tuesday 10:00."""

    weekday: int
    at: time

    def next_after(self, moment: datetime, zone: str) -> datetime:
        """The first such local moment at or after ``moment`` (UTC), DST-correct."""
        tz = ZoneInfo(zone)
        local = moment.astimezone(tz)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() != self.weekday:
                continue
            candidate = datetime.combine(day, self.at, tzinfo=tz).astimezone(UTC)
            if candidate >= moment:
                return candidate
        raise AssertionError("a weekday comes back within eight days")


@dataclass(frozen=True)
class WaitStep:
    """Pause for ``duration`` from the moment the step was reached, or ``until`` a weekday."""

    id: str
    duration: timedelta | None = None
    until: WeeklyTime | None = None


@dataclass(frozen=True)
class WaitForStep:
    """Wait for an event (optionally about the email of ``of_step``) at most ``timeout``."""

    id: str
    event: str
    timeout: timedelta
    where: Mapping[str, str] = field(default_factory=dict)
    of_step: str | None = None
    then: str | None = None
    on_timeout: str | None = None


@dataclass(frozen=True)
class Branch:
    when: Condition
    goto: str
    label: str = ""
    """The condition as the journey file writes it, for the timeline."""


@dataclass(frozen=True)
class BranchStep:
    """Go to the first branch whose condition holds, else to ``otherwise`` (or the next step)."""

    id: str
    branches: Sequence[Branch]
    otherwise: str | None = None


@dataclass(frozen=True)
class Variant:
    name: str
    weight: int
    goto: str | None = None


@dataclass(frozen=True)
class SplitStep:
    """A/B/n test: each contact always lands in the same variant, in proportion to weights."""

    id: str
    variants: Sequence[Variant]

    def variant_for(self, key: str) -> Variant:
        total = sum(v.weight for v in self.variants)
        digest = hashlib.sha256(f"{key}:{self.id}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") % total
        for variant in self.variants:
            if point < variant.weight:
                return variant
            point -= variant.weight
        raise AssertionError("weights add up to the total")


@dataclass(frozen=True)
class UpdateStep:
    """Change the contact: set attributes, add points (with a reason), recycle or disqualify."""

    id: str
    set: Mapping[str, Any] = field(default_factory=dict)
    points: int = 0
    reason: str = ""
    stage: Literal["recycled", "disqualified"] | None = None
    stage_reason: str = ""


@dataclass(frozen=True)
class NotifyStep:
    """Tell someone: POST to a ``webhook``, or email the contact's ``owner``."""

    id: str
    webhook: str | None = None
    owner_subject: str | None = None
    message: str = ""


@dataclass(frozen=True)
class HandoffStep:
    """Hand the contact to sales now (owner by round-robin, SLA running)."""

    id: str
    reason: str = ""


@dataclass(frozen=True)
class GotoStep:
    id: str
    target: str


@dataclass(frozen=True)
class EndStep:
    id: str
    reason: str = ""


Step = (
    SendStep
    | WaitStep
    | WaitForStep
    | BranchStep
    | SplitStep
    | UpdateStep
    | NotifyStep
    | HandoffStep
    | GotoStep
    | EndStep
)
Effect = UpdateStep | NotifyStep | HandoffStep
WAITING = (WaitStep, WaitForStep)


@dataclass(frozen=True)
class Send:
    """Send the email of ``step``, then move on."""

    step: SendStep


@dataclass(frozen=True)
class Perform:
    """Carry out ``step``'s effect, then move on."""

    step: Effect


@dataclass(frozen=True)
class MoveOn:
    """The current step is done: go to ``to``, or the next one in order when None."""

    to: str | None = None
    variant: str | None = None
    because: str | None = None
    """Why a branch or wait_for went this way (the matched condition), for the timeline."""


@dataclass(frozen=True)
class Sleep:
    """Nothing to do before ``until``."""

    until: datetime


@dataclass(frozen=True)
class Finish:
    """The journey is over for this enrollment."""

    reason: str | None = None


Action = Send | Perform | MoveOn | Sleep | Finish


@dataclass(frozen=True)
class StepContext:
    """What a step may look at: the contact, its history, its time zone, a stable key."""

    subject: Subject | None = None
    facts: Facts = field(default_factory=NoFacts)
    zone: str = "UTC"
    key: str = ""


READS_CONTACT = (BranchStep, WaitForStep)
"""The steps whose next action reads the context's ``subject`` or ``facts``: for the others a
context's zone and key are all :func:`next_action` looks at."""


def next_action(
    step: Step | None, entered_at: datetime, now: datetime, ctx: StepContext | None = None
) -> Action:
    """What an enrollment standing on ``step`` since ``entered_at`` must do at ``now``."""
    ctx = ctx or StepContext()
    if step is None:
        return Finish()
    if isinstance(step, SendStep):
        return Send(step)
    if isinstance(step, UpdateStep | NotifyStep | HandoffStep):
        return Perform(step)
    if isinstance(step, WaitStep):
        if step.until is not None:
            due = step.until.next_after(entered_at, ctx.zone)
        else:
            assert step.duration is not None
            due = entered_at + step.duration
        return MoveOn() if now >= due else Sleep(due)
    if isinstance(step, WaitForStep):
        seen = _seen(step)
        if ctx.facts.count_events(step.event, _where_of(step), entered_at) > 0:
            return MoveOn(step.then, because=seen)
        due = entered_at + step.timeout
        return (
            MoveOn(step.on_timeout, because=f"timed out: no {seen}") if now >= due else Sleep(due)
        )
    if isinstance(step, BranchStep):
        assert ctx.subject is not None, "a branch needs the contact"
        for i, branch in enumerate(step.branches, 1):
            if branch.when.holds(ctx.subject, ctx.facts):
                return MoveOn(branch.goto, because=branch.label or f"branch {i}")
        return MoveOn(step.otherwise, because="else")
    if isinstance(step, SplitStep):
        variant = step.variant_for(ctx.key)
        return MoveOn(variant.goto, variant=variant.name)
    if isinstance(step, GotoStep):
        return MoveOn(step.target)
    return Finish(step.reason or f"ended at step {step.id}")


def _seen(step: WaitForStep) -> str:
    about = f" of step {step.of_step}" if step.of_step else ""
    where = "".join(f" {k}={v}" for k, v in step.where.items())
    return f"{step.event}{about}{where}"


def _where_of(step: WaitForStep) -> Mapping[str, str]:
    """An event tied to an earlier step's email is matched on that step's id."""
    if step.of_step is None:
        return step.where
    return {**step.where, "step": step.of_step}
