"""Compile a validated journey spec into the domain's :class:`~nurture.domain.journeys.Journey`."""

from __future__ import annotations

from typing import Any

from nurture.definitions.journey_schema import (
    AnyStepSpec,
    BranchSpec,
    ConditionSpec,
    EndSpec,
    GotoSpec,
    HandoffStepSpec,
    JourneySpec,
    NotifySpec,
    SendSpec,
    SplitSpec,
    UpdateSpec,
    WaitForSpec,
    WaitSpec,
    parse_clock,
)
from nurture.domain.conditions import (
    All,
    Any_,
    Compare,
    Condition,
    EventCount,
    Not,
    StateIn,
    StepOutcome,
)
from nurture.domain.durations import parse_duration
from nurture.domain.journeys import Entry, Goal, Journey, Reentry, Trigger
from nurture.domain.steps import (
    Branch,
    BranchStep,
    EndStep,
    GotoStep,
    HandoffStep,
    NotifyStep,
    SendStep,
    SplitStep,
    Step,
    UpdateStep,
    Variant,
    WaitForStep,
    WaitStep,
    WeeklyTime,
)
from nurture.domain.windows import WEEKDAYS, SendWindow


def journey_from_spec(spec: JourneySpec) -> Journey:
    window = None
    if spec.send_window is not None:
        window = SendWindow(
            days=frozenset(WEEKDAYS.index(d) for d in spec.send_window.days),
            start=parse_clock(spec.send_window.hours.start),
            end=parse_clock(spec.send_window.hours.end),
        )
    return Journey(
        id=spec.id,
        name=spec.name,
        description=spec.description,
        priority=spec.priority,
        entry=Entry(
            stages=frozenset(spec.entry.stages),
            bands=frozenset(spec.entry.bands),
            grades=frozenset(spec.entry.grades),
            when=condition_from_spec(spec.entry.when) if spec.entry.when else None,
            trigger=(
                Trigger(spec.entry.event.type, dict(spec.entry.event.where))
                if spec.entry.event
                else None
            ),
        ),
        reentry=_reentry(spec.reentry),
        when_capped=spec.when_capped,
        goals=tuple(
            Goal(
                stage=g.stage,
                event=g.event,
                where=dict(g.where),
                when=condition_from_spec(g.when) if g.when else None,
            )
            for g in spec.goals
        ),
        send_window=window,
        migrate=dict(spec.migrate),
        steps=tuple(step_from_spec(s) for s in spec.steps),
    )


def _reentry(text: str) -> Reentry:
    if text in ("never", "always"):
        return Reentry(text)  # type: ignore[arg-type]
    return Reentry("after", parse_duration(text.removeprefix("after ")))


def condition_from_spec(spec: ConditionSpec) -> Condition:
    parts: list[Condition] = []
    if spec.all is not None:
        parts.append(All(tuple(condition_from_spec(c) for c in spec.all)))
    if spec.any is not None:
        parts.append(Any_(tuple(condition_from_spec(c) for c in spec.any)))
    if spec.not_ is not None:
        parts.append(Not(condition_from_spec(spec.not_)))
    for name in ("stage", "band", "grade"):
        values = getattr(spec, name)
        if values is not None:
            parts.append(StateIn(name, frozenset(values)))
    if spec.score is not None:
        parts.append(Compare("score", *spec.score.test))
    if spec.attribute is not None:
        parts.append(Compare(spec.attribute.name, *spec.attribute.test))
    if spec.event is not None:
        e = spec.event
        parts.append(
            EventCount(
                e.type,
                dict(e.where),
                parse_duration(e.within) if e.within else None,
                e.at_least,
                e.at_most,
            )
        )
    if spec.step is not None:
        parts.append(StepOutcome(spec.step.id, spec.step.outcome))
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def step_from_spec(spec: AnyStepSpec) -> Step:
    if isinstance(spec, SendSpec):
        return SendStep(
            spec.id, spec.template, spec.subject, spec.from_email, spec.from_name, spec.reply_to
        )
    if isinstance(spec, WaitSpec):
        if spec.until is not None:
            until = WeeklyTime(WEEKDAYS.index(spec.until.day), parse_clock(spec.until.time))
            return WaitStep(spec.id, until=until)
        assert spec.duration is not None
        return WaitStep(spec.id, parse_duration(spec.duration))
    if isinstance(spec, WaitForSpec):
        return WaitForStep(
            spec.id,
            spec.event,
            parse_duration(spec.timeout),
            dict(spec.where),
            spec.of_step,
            spec.then,
            spec.on_timeout,
        )
    if isinstance(spec, BranchSpec):
        branches = []
        for case in spec.branches:
            data: dict[str, Any] = case.model_dump(by_alias=True, exclude_unset=True)
            data.pop("goto")
            when = condition_from_spec(ConditionSpec.model_validate(data))
            branches.append(Branch(when, case.goto))
        return BranchStep(spec.id, tuple(branches), spec.else_)
    if isinstance(spec, SplitSpec):
        return SplitStep(spec.id, tuple(Variant(v.name, v.weight, v.goto) for v in spec.variants))
    if isinstance(spec, UpdateSpec):
        return UpdateStep(
            spec.id,
            dict(spec.set),
            spec.add_points.points if spec.add_points else 0,
            spec.add_points.reason if spec.add_points else "",
            spec.stage,
            spec.reason,
        )
    if isinstance(spec, NotifySpec):
        if spec.owner is not None:
            return NotifyStep(spec.id, owner_subject=spec.owner.subject, message=spec.owner.message)
        return NotifyStep(spec.id, webhook=spec.webhook)
    if isinstance(spec, HandoffStepSpec):
        return HandoffStep(spec.id, spec.reason)
    if isinstance(spec, GotoSpec):
        return GotoStep(spec.id, spec.step)
    assert isinstance(spec, EndSpec)
    return EndStep(spec.id, spec.reason)
