"""The public data formats (docs/formats.md): a contact and an event.

Importers, the HTTP API, webhooks and simulation scenarios all read these same shapes, so an
address, a time or a JSON value is judged by one rule whichever door it comes in by:

- an address is one mailbox, checked for syntax only (no DNS) by email-validator: no display
  name, no quoting, no control characters; an internationalised domain is stored in its ASCII
  (IDNA) form, so ``ana@bücher.example`` and ``ana@xn--bcher-kva.example`` are one contact;
- a time without a zone is UTC, and must be in the accepted range (nurture/times.py, checked
  by each door against its clock);
- ``properties`` and ``attributes`` are JSON: NaN and Infinity (which JSON does not have), NUL
  and unpaired surrogates (which no store keeps) are refused, as they are in every text field.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from nurture.domain.contacts import normalise_email
from nurture.times import TimeRange, to_utc

MAX_DEPTH = 20
"""How deeply ``properties`` and ``attributes`` may nest."""


def canonical_email(text: str) -> str:
    """The stored form of an address; ValueError saying in words what is wrong with it."""
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise ValueError(f"{shown!r} is not a valid address: {exc}") from None
    return normalise_email(f"{valid.local_part}@{valid.ascii_domain}")


def _text(value: str) -> str:
    """Refuse what no store keeps: NUL, and unpaired surrogates (invalid UTF-8)."""
    problem = _text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _json(value: dict[str, Any]) -> dict[str, Any]:
    problem = _json_problem(value, "", 0)
    if problem is not None:
        raise ValueError(problem)
    return value


def _json_problem(value: Any, path: str, depth: int) -> str | None:
    """Where and why ``value`` is not JSON as JSON defines it, or None."""
    where = f"{path}: " if path else ""
    if depth > MAX_DEPTH:
        return f"{where}nests deeper than {MAX_DEPTH} levels"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where}{value} is not a number JSON allows (no NaN or Infinity)"
    if isinstance(value, str):
        return _text_problem(value, where)
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            problem = _text_problem(str(key), f"the key {str(key)[:40]!r} ") or _json_problem(
                item, name[:60], depth + 1
            )
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if problem := _json_problem(item, f"{path}[{index}]", depth + 1):
                return problem
    elif value is not None and not isinstance(value, bool | int | float):
        return f"{where}a {type(value).__name__} is not a JSON value"
    return None


def _text_problem(value: str, where: str = "") -> str | None:
    if "\x00" in value:
        return f"{where}contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{where}contains an unpaired surrogate: not valid Unicode text"
    return None


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name like Europe/Ljubljana"
        ) from None
    return name


def _country(value: str) -> str:
    if not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise ValueError(f"{value[:20]!r} is not a country: give its two-letter code, like SI")
    return value.upper()


def _event_type(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", value):
        raise ValueError(
            f"{value[:40]!r} is not an event type: use lower-case letters, digits and _, "
            "starting with a letter, like page_viewed"
        )
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Email = Annotated[str, Field(max_length=320), AfterValidator(canonical_email)]
Text = Annotated[
    Annotated[str, Field(max_length=200), AfterValidator(_text)] | None,
    BeforeValidator(_blank_is_none),
]
"""Free text, as long as its column holds (the store's String(200))."""
ShortText = Annotated[
    Annotated[str, Field(max_length=64), AfterValidator(_text)] | None,
    BeforeValidator(_blank_is_none),
]
JsonObject = Annotated[dict[str, Any], AfterValidator(_json)]
Moment = Annotated[datetime, AfterValidator(to_utc)]
Country = Annotated[str, AfterValidator(_country)]
EventType = Annotated[str, Field(max_length=64), AfterValidator(_event_type)]
TimeZone = Annotated[str, AfterValidator(_timezone)]


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    first_name: Text = None
    last_name: Text = None
    job_title: Text = None
    company: Text = None
    company_size: Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_blank_is_none)] = (
        None
    )
    industry: ShortText = None
    country: Annotated[Country | None, BeforeValidator(_blank_is_none)] = None
    timezone: Annotated[TimeZone | None, BeforeValidator(_blank_is_none)] = None
    source: ShortText = None
    attributes: JsonObject = Field(default_factory=dict)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Annotated[
        Annotated[str, Field(max_length=200), AfterValidator(_text)] | None,
        BeforeValidator(_blank_is_none),
    ] = None
    email: Email
    type: EventType
    at: Annotated[Moment | None, BeforeValidator(_blank_is_none)] = None
    properties: JsonObject = Field(default_factory=dict)

    def time_problem(self, times: TimeRange, now: datetime) -> str | None:
        """Why ``at`` is outside the accepted range, naming the field, or None."""
        problem = None if self.at is None else times.problem(self.at, now)
        return None if problem is None else f"at: {problem}"

    def source_id(self, received_at: datetime) -> str:
        """The client's id, or one derived from the content so a replay is still a duplicate."""
        if self.id:
            return self.id
        at = (self.at or received_at).isoformat()
        body = json.dumps([self.email, self.type, at, self.properties], sort_keys=True, default=str)
        return "sha256:" + hashlib.sha256(body.encode()).hexdigest()
