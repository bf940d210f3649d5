"""A workspace: everything marketers define, loaded and checked as one unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from nurture.domain.assignment import Rep, Route
from nurture.domain.business_hours import BusinessHours
from nurture.domain.durations import later
from nurture.domain.journeys import Journey
from nurture.domain.lifecycle import LifecycleRules
from nurture.domain.scoring import ScoringModel
from nurture.domain.sending import SendingRules


@dataclass(frozen=True)
class Sender:
    from_email: str
    from_name: str
    postal_address: str


@dataclass(frozen=True)
class Escalation:
    """What a breached SLA does: give the MQL to the next rep, or tell ``manager``."""

    action: str = "reassign"
    manager: str | None = None


@dataclass(frozen=True)
class HandoffRules:
    """Who gets a new MQL, how fast sales must respond, who is told, and what a breach does."""

    team: Sequence[Rep]
    sla: timedelta
    routes: Sequence[Route] = ()
    business_hours: BusinessHours | None = None
    escalation: Escalation = field(default_factory=Escalation)
    webhook_url: str | None = None
    email_owner: bool = False

    def due(self, start: datetime) -> datetime:
        """When an SLA started at ``start`` is breached (in business hours when they are set)."""
        if self.business_hours is None:
            due = later(start, self.sla)
            if due is None:
                raise ValueError(f"an SLA started at {start.isoformat()} ends past the calendar")
            return due
        return self.business_hours.add(start, self.sla)


@dataclass(frozen=True)
class Workspace:
    sender: Sender
    timezone: str
    scoring: ScoringModel
    lifecycle: LifecycleRules
    handoff: HandoffRules
    journeys: Sequence[Journey]
    definitions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Each journey's validated definition as plain data, kept with every version."""
    sending: SendingRules = field(default_factory=SendingRules)
    """Default send window, quiet hours and frequency cap (workspace.yaml ``sending:``)."""

    def journey(self, journey_id: str) -> Journey:
        for journey in self.journeys:
            if journey.id == journey_id:
                return journey
        raise KeyError(journey_id)

    @cached_property
    def by_priority(self) -> tuple[Journey, ...]:
        """Highest priority first; sorted once, as every reaction walks it."""
        return tuple(sorted(self.journeys, key=lambda j: (-j.priority, j.id)))
