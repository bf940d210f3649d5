"""The public data formats (docs/formats.md): a contact and an event.

Importers, the HTTP API and simulation scenarios all read these same shapes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from nurture.clock import as_utc
from nurture.domain.contacts import normalise_email

_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name like Europe/Ljubljana"
        ) from None
    return name


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Email = Annotated[
    str, Field(pattern=_EMAIL_PATTERN, max_length=320), AfterValidator(normalise_email)
]
Text = Annotated[str | None, BeforeValidator(_blank_is_none)]
Country = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]
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
    industry: Text = None
    country: Annotated[Country | None, BeforeValidator(_blank_is_none)] = None
    timezone: Annotated[TimeZone | None, BeforeValidator(_blank_is_none)] = None
    source: Text = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_is_none)] = (
        None
    )
    email: Email
    type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    at: Annotated[
        Annotated[datetime, AfterValidator(as_utc)] | None, BeforeValidator(_blank_is_none)
    ] = None
    properties: dict[str, Any] = Field(default_factory=dict)

    def source_id(self, received_at: datetime) -> str:
        """The client's id, or one derived from the content so a replay is still a duplicate."""
        if self.id:
            return self.id
        at = (self.at or received_at).isoformat()
        body = json.dumps([self.email, self.type, at, self.properties], sort_keys=True, default=str)
        return "sha256:" + hashlib.sha256(body.encode()).hexdigest()
