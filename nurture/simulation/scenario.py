"""Scenario files: contacts, timed events, what sales does, and what should have happened.

    start: 2026-03-02T08:00:00Z
    days: 30
    contacts:
      - {email: ana@acme.com, job_title: VP Marketing, timezone: Europe/Ljubljana}
    events:
      - {at: "day 0 09:00", email: ana@acme.com, type: subscribed}
      - {at: "day 2 10:00", email: ana@acme.com, type: email_clicked, step: welcome/welcome}
      - {at: "day 6 11:00", email: ana@acme.com, action: accept}
    expect:
      - {email: ana@acme.com, by: "day 5", sent: [welcome/welcome], stage: mql}

``at`` is an ISO time or ``day N HH:MM`` (UTC, N days after the start's date). An event with
``step: journey/step`` is about the email that step sent the contact (its message id is
found when the event happens); one with ``action`` is sales answering the handoff. ``by`` is
an ISO time, ``day N HH:MM``, or ``day N`` (the end of that day); without it, the end of the
scenario. Times follow the rule of every incoming time (nurture/times.py): one without a
zone is UTC, and the start lies in the accepted range; each event lies between the start and
the end. docs/formats.md describes every key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nurture.definitions.yamlsource import Document, read_document
from nurture.domain.journeys import Journey
from nurture.domain.lifecycle import ALL_STAGES
from nurture.errors import DefinitionError, plain_message
from nurture.formats import ContactIn, Email, EventIn, Moment
from nurture.times import TimeRange

_DAY_TIME = re.compile(r"^day\s+(\d+)(?:\s+(\d{1,2}):(\d{2}))?$")
_STEP = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"


@dataclass(frozen=True)
class StepEvent:
    """An event about the email a journey step sent the contact (an open, a click, ...)."""

    event: EventIn
    journey: str
    step: str
    where: str

    @property
    def at(self) -> datetime | None:
        return self.event.at


@dataclass(frozen=True)
class SalesAction:
    """Sales answering the contact's handoff: accept, reject (with a reason) or qualify (BANT)."""

    at: datetime
    email: str
    action: Literal["accept", "reject", "qualify"]
    where: str
    reason: str | None = None
    bant: dict[str, str] | None = None
    by: str | None = None


@dataclass(frozen=True)
class Expectation:
    """What should be true of a contact by a moment: emails sent or not, its stage, its score."""

    email: str
    by: datetime
    label: str
    where: str
    sent: tuple[str, ...] = ()
    not_sent: tuple[str, ...] = ()
    stage: str | None = None
    score: int | None = None


Item = EventIn | StepEvent | SalesAction


@dataclass(frozen=True)
class Scenario:
    start: datetime
    days: int
    contacts: list[ContactIn]
    events: Sequence[Item]
    expect: Sequence[Expectation] = ()
    path: Path | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


class _ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Moment
    days: int = Field(gt=0, le=3650)
    contacts: list[dict[str, Any]] = Field(default_factory=list)
    events: list[dict[str, Any]] = Field(default_factory=list)
    expect: list[dict[str, Any]] = Field(default_factory=list)


class _Bant(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    budget: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    need: str = Field(min_length=1)
    timeline: str = Field(min_length=1)


class _SalesSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    at: Moment
    email: Email
    action: Literal["accept", "reject", "qualify"]
    reason: str | None = None
    bant: _Bant | None = None
    by: str | None = None

    @model_validator(mode="after")
    def _what_each_action_needs(self) -> _SalesSpec:
        if self.action == "reject" and not self.reason:
            raise ValueError("a reject needs a `reason`: marketing reads it")
        if self.action == "qualify" and self.bant is None:
            raise ValueError(
                "a qualify needs `bant: {budget: ..., authority: ..., need: ..., timeline: ...}`"
            )
        if self.action != "qualify" and self.bant is not None:
            raise ValueError("`bant` goes with `action: qualify` only")
        return self


class _StepEventSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    step: str = Field(pattern=_STEP)


class _ExpectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    by: Moment
    sent: list[str] = Field(default_factory=list)
    not_sent: list[str] = Field(default_factory=list)
    stage: Literal[ALL_STAGES] | None = None  # type: ignore[valid-type]
    score: int | None = None

    @model_validator(mode="after")
    def _says_something(self) -> _ExpectSpec:
        if not (self.sent or self.not_sent or self.stage or self.score is not None):
            raise ValueError("say what you expect: `sent`, `not_sent`, `stage` or `score`")
        for name in (*self.sent, *self.not_sent):
            if not re.match(_STEP, name):
                raise ValueError(f"{name!r}: name an email as journey/step, e.g. welcome/welcome")
        return self


def load_scenario(path: Path, times: TimeRange | None = None) -> Scenario:
    """Read a scenario file; every problem is reported as ``path:line:col: message``."""
    doc = read_document(path)
    if not isinstance(doc.data, dict):
        raise DefinitionError(
            [doc.error([], "expected a mapping with start, days, contacts, events, expect")]
        )
    try:
        spec = _ScenarioSpec.model_validate(doc.data)
    except ValidationError as exc:
        raise DefinitionError([_problem(doc, [], e) for e in exc.errors()]) from None
    start = spec.start
    if problem := (times or TimeRange()).problem(start, None):
        raise DefinitionError([doc.error(["start"], f"start: {problem}")])
    end = start + timedelta(days=spec.days)
    problems: list[str] = []
    contacts = [
        _validate(doc, ["contacts", i], ContactIn, row, problems)
        for i, row in enumerate(spec.contacts)
    ]
    events: list[Item] = []
    for i, row in enumerate(spec.events):
        loc: list[str | int] = ["events", i]
        at = _moment(doc, [*loc, "at"], row.get("at"), start, problems, days=spec.days)
        if at is None:
            continue
        row = {**row, "at": at}
        item = _item(doc, loc, row, problems)
        if item is None:
            continue
        if item.at is None or not start <= item.at <= end:
            problems.append(
                doc.error(
                    [*loc, "at"],
                    "give each event an `at` between the scenario's start and its end "
                    f"({start.isoformat()} to {end.isoformat()})",
                )
            )
            continue
        events.append(item)
    expect = [
        found
        for i, row in enumerate(spec.expect)
        if (found := _expectation(doc, ["expect", i], row, start, spec.days, problems))
    ]
    if problems:
        raise DefinitionError(problems)
    return Scenario(
        start=start,
        days=spec.days,
        contacts=[c for c in contacts if c is not None],
        events=sorted(events, key=lambda e: e.at or start),
        expect=expect,
        path=path,
    )


def check_names(scenario: Scenario, journeys: Sequence[Journey]) -> None:
    """Every ``journey/step`` the scenario names exists in the workspace (a typo fails early)."""
    steps = {f"{j.id}/{step}" for j in journeys for step in j.step_ids}
    named = [
        (e.where, f"{e.journey}/{e.step}") for e in scenario.events if isinstance(e, StepEvent)
    ]
    for expectation in scenario.expect:
        named += [(expectation.where, n) for n in (*expectation.sent, *expectation.not_sent)]
    problems = [
        f"{where}: no step {name} in the workspace: {_hint(name, steps)}"
        for where, name in named
        if name not in steps
    ]
    if problems:
        raise DefinitionError(problems)


def _hint(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    if close:
        return f"did you mean {close[0]}?"
    journey = name.split("/")[0]
    same = sorted(k for k in known if k.startswith(f"{journey}/"))
    return f"use one of {', '.join(same)}" if same else f"there is no journey {journey!r}"


def _item(doc: Document, loc: list[str | int], row: dict[str, Any], problems: list[str]) -> Any:
    """An event, an event about a step's email, or a sales action, by the keys it has."""
    where = _where(doc, loc)
    if "action" in row:
        sales = _validate(doc, loc, _SalesSpec, row, problems)
        if sales is None:
            return None
        return SalesAction(
            at=sales.at,
            email=sales.email,
            action=sales.action,
            where=where,
            reason=sales.reason,
            bant=sales.bant.model_dump() if sales.bant else None,
            by=sales.by,
        )
    if "step" in row:
        rest = {k: v for k, v in row.items() if k != "step"}
        named = _validate(doc, loc, _StepEventSpec, {"step": row["step"]}, problems)
        event = _validate(doc, loc, EventIn, rest, problems)
        if named is None or event is None:
            return None
        journey, step = named.step.split("/")
        return StepEvent(event, journey, step, where)
    return _validate(doc, loc, EventIn, row, problems)


def _expectation(
    doc: Document,
    loc: list[str | int],
    row: dict[str, Any],
    start: datetime,
    days: int,
    problems: list[str],
) -> Expectation | None:
    if row.get("by") is not None:
        by = _moment(doc, [*loc, "by"], row["by"], start, problems, days=days, end_of_day=True)
        label = str(row["by"])
    else:
        by, label = start + timedelta(days=days), "the end"
    if by is None:
        return None
    spec = _validate(doc, loc, _ExpectSpec, {**row, "by": by}, problems)
    if spec is None:
        return None
    return Expectation(
        email=spec.email,
        by=spec.by,
        label=label,
        where=_where(doc, loc),
        sent=tuple(spec.sent),
        not_sent=tuple(spec.not_sent),
        stage=spec.stage,
        score=spec.score,
    )


def _moment(
    doc: Document,
    loc: list[str | int],
    value: Any,
    start: datetime,
    problems: list[str],
    *,
    days: int,
    end_of_day: bool = False,
) -> Any:
    """``day N HH:MM`` (or ``day N``, the end of that day, where ``end_of_day``) as a UTC time;
    anything else is left for the model to parse. N must lie within the scenario's ``days``."""
    if not isinstance(value, str) or not (match := _DAY_TIME.match(value.strip())):
        return value
    day, hour, minute = match.groups()
    if hour is not None and (int(hour) > 23 or int(minute) > 59):
        problems.append(doc.error(loc, f"{value!r}: no such time of day"))
        return None
    if int(day) > days:
        problems.append(doc.error(loc, f"{value!r}: the scenario lasts {days} days"))
        return None
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=int(day))
    if hour is None:
        if end_of_day:
            return midnight + timedelta(days=1) - timedelta(microseconds=1)
        problems.append(
            doc.error(loc, f"{value!r}: give a time of day too, e.g. 'day {day} 09:00'")
        )
        return None
    return midnight + timedelta(hours=int(hour), minutes=int(minute))


def _where(doc: Document, loc: list[str | int]) -> str:
    line, _ = doc.where(loc)
    return f"{doc.path}:{line}"


def _validate(
    doc: Document, loc: list[str | int], model: type[Any], row: dict[str, Any], problems: list[str]
) -> Any:
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        problems.extend(_problem(doc, loc, e) for e in exc.errors())
        return None


def _problem(doc: Document, prefix: list[str | int], error: Any) -> str:
    loc = [*prefix, *error["loc"]]
    field = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        return doc.error(
            loc, f"unknown key '{loc[-1]}': remove it or check its spelling", at_key=True
        )
    if error["type"] == "missing":
        return doc.error(loc, f"'{field}' is required: add it")
    return doc.error(loc, f"{field}: {plain_message(error)}")
