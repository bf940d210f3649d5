"""Plain words for the parts of a journey a chart shows: conditions, waits, entry and goals."""

from __future__ import annotations

from collections.abc import Mapping

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
from nurture.domain.durations import format_duration
from nurture.domain.journeys import Entry, Goal, Reentry
from nurture.domain.steps import WaitStep
from nurture.domain.windows import WEEKDAYS

_OPS = {
    "equals": "is",
    "in": "is one of",
    "not_in": "is not one of",
    "gte": ">=",
    "gt": ">",
    "lte": "<=",
    "lt": "<",
    "matches": "matches",
}


def where(properties: Mapping[str, str]) -> str:
    return ", ".join(f"{key} = {value}" for key, value in properties.items())


def condition(c: Condition) -> str:
    if isinstance(c, All):
        return " and ".join(_grouped(part) for part in c.parts)
    if isinstance(c, Any_):
        return " or ".join(_grouped(part) for part in c.parts)
    if isinstance(c, Not):
        return f"not {_grouped(c.part)}"
    if isinstance(c, StateIn):
        return f"{c.attribute} {' or '.join(sorted(c.values))}"
    if isinstance(c, Compare):
        if c.op == "exists":
            return f"{c.name} {'is set' if c.value else 'is empty'}"
        value = ", ".join(map(str, c.value)) if c.op in ("in", "not_in") else c.value
        return f"{c.name} {_OPS[c.op]} {value}"
    if isinstance(c, EventCount):
        return _event_count(c)
    assert isinstance(c, StepOutcome)
    return f"email of {c.step} {c.outcome}"


def _grouped(c: Condition) -> str:
    text = condition(c)
    return f"({text})" if isinstance(c, All | Any_) and len(c.parts) > 1 else text


def _event_count(c: EventCount) -> str:
    if c.at_most is not None:
        times = f"{c.at_least} to {c.at_most} times"
    elif c.at_least > 1:
        times = f"at least {c.at_least} times"
    else:
        times = ""
    parts = [c.type]
    if c.where:
        parts.append(f"({where(c.where)})")
    if times:
        parts.append(times)
    if c.within is not None:
        parts.append(f"within {format_duration(c.within)}")
    return " ".join(parts)


def wait(step: WaitStep) -> str:
    if step.until is not None:
        return f"until {WEEKDAYS[step.until.weekday].capitalize()} {step.until.at:%H:%M}"
    assert step.duration is not None
    return format_duration(step.duration)


def entry_lines(entry: Entry, reentry: Reentry) -> list[str]:
    lines = [f"stages: {', '.join(sorted(entry.stages)) or 'any but disqualified'}"]
    if entry.bands:
        lines.append(f"bands: {', '.join(sorted(entry.bands))}")
    if entry.grades:
        lines.append(f"grades: {', '.join(sorted(entry.grades))}")
    if entry.trigger is not None:
        extra = f" ({where(entry.trigger.where)})" if entry.trigger.where else ""
        lines.append(f"on event {entry.trigger.type}{extra}")
    if entry.when is not None:
        lines.append(f"when {condition(entry.when)}")
    if reentry.mode == "after":
        assert reentry.after is not None
        lines.append(f"re-entry after {format_duration(reentry.after)}")
    else:
        lines.append(f"re-entry: {reentry.mode}")
    return lines


def goal(g: Goal) -> str:
    if g.stage:
        return f"reaches stage {g.stage}"
    if g.event:
        extra = f" ({where(g.where)})" if g.where else ""
        return f"does {g.event}{extra}"
    assert g.when is not None
    return condition(g.when)
