"""Scenario files: contacts and timed events to replay, in the formats of docs/formats.md.

    start: 2026-03-02T08:00:00Z
    days: 30
    contacts:
      - {email: ana@acme.com, job_title: VP Marketing, timezone: Europe/Ljubljana}
    events:
      - {at: "day 0 09:00", email: ana@acme.com, type: subscribed}

``at`` is an ISO time or ``day N HH:MM`` (UTC, N days after the start's date). Times follow
the rule of every incoming time (nurture/times.py): one without a zone is UTC, and the start
lies in the accepted range; each event lies between the start and the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nurture.definitions.yamlsource import Document, read_document
from nurture.errors import DefinitionError, plain_message
from nurture.formats import ContactIn, EventIn, Moment
from nurture.times import TimeRange

_DAY_TIME = re.compile(r"^day\s+(\d+)\s+(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Scenario:
    start: datetime
    days: int
    contacts: list[ContactIn]
    events: list[EventIn]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=self.days)


class _ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Moment
    days: int = Field(gt=0, le=3650)
    contacts: list[dict[str, Any]] = Field(default_factory=list)
    events: list[dict[str, Any]] = Field(default_factory=list)


def load_scenario(path: Path, times: TimeRange | None = None) -> Scenario:
    """Read a scenario file; every problem is reported as ``path:line:col: message``."""
    doc = read_document(path)
    if not isinstance(doc.data, dict):
        raise DefinitionError(
            [doc.error([], "expected a mapping with start, days, contacts, events")]
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
    events = []
    for i, row in enumerate(spec.events):
        at = row.get("at")
        if isinstance(at, str) and (match := _DAY_TIME.match(at.strip())):
            day, hour, minute = map(int, match.groups())
            if hour > 23 or minute > 59:
                problems.append(doc.error(["events", i, "at"], f"{at!r}: no such time of day"))
                continue
            if day > spec.days:
                problems.append(
                    doc.error(["events", i, "at"], f"{at!r}: the scenario lasts {spec.days} days")
                )
                continue
            row = {
                **row,
                "at": start.replace(hour=0, minute=0, second=0, microsecond=0)
                + timedelta(days=day, hours=hour, minutes=minute),
            }
        event = _validate(doc, ["events", i], EventIn, row, problems)
        if event is not None and (event.at is None or not start <= event.at <= end):
            problems.append(
                doc.error(
                    ["events", i, "at"],
                    "give each event an `at` between the scenario's start and its end "
                    f"({start.isoformat()} to {end.isoformat()})",
                )
            )
        events.append(event)
    if problems:
        raise DefinitionError(problems)
    return Scenario(
        start=start,
        days=spec.days,
        contacts=[c for c in contacts if c is not None],
        events=sorted((e for e in events if e is not None), key=lambda e: e.at or start),
    )


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
