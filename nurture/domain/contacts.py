"""What the domain knows of a contact: its profile (fit) and its state (stage, score)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROFILE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "company",
    "company_size",
    "industry",
    "country",
    "timezone",
    "source",
)


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively; we keep them lower-cased and trimmed."""
    return email.strip().lower()


@dataclass(frozen=True)
class Profile:
    """Who the contact is: the input of fit scoring and of template personalisation."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company: str | None = None
    company_size: int | None = None
    industry: str | None = None
    country: str | None = None
    timezone: str | None = None
    source: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2]

    def value(self, name: str) -> Any:
        """A profile field, ``email_domain``, or a custom attribute, by name."""
        if name == "email_domain":
            return self.email_domain
        if name in PROFILE_FIELDS:
            return getattr(self, name)
        return self.attributes.get(name)


@dataclass(frozen=True)
class State:
    """Where the contact stands now, as journeys' entry rules and goals see it."""

    stage: str
    score: int
    band: str
    grade: str
