"""A workspace: everything marketers define, loaded and checked as one unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

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
class HandoffRules:
    """Who gets a new MQL (round-robin over ``team``) and how fast sales must respond."""

    team: Sequence[str]
    sla: timedelta


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

    @property
    def by_priority(self) -> list[Journey]:
        return sorted(self.journeys, key=lambda j: (-j.priority, j.id))
