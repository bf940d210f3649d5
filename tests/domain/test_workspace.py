"""The workspace: the journeys' priority order."""

from __future__ import annotations

from datetime import timedelta

from nurture.domain.journeys import Entry, Journey
from nurture.domain.lifecycle import LifecycleRules
from nurture.domain.scoring import ScoringModel, Threshold
from nurture.domain.workspace import HandoffRules, Sender, Workspace


def journey(journey_id: str, priority: int) -> Journey:
    return Journey(journey_id, journey_id, Entry(), steps=(), priority=priority)


def workspace(*journeys: Journey) -> Workspace:
    return Workspace(
        sender=Sender("hello@example.com", "Example", "1 Main St"),
        timezone="UTC",
        scoring=ScoringModel((), (), (Threshold("cold", 0),), (Threshold("C", 0),)),
        lifecycle=LifecycleRules(frozenset(), 0, frozenset()),
        handoff=HandoffRules(team=(), sla=timedelta(hours=4)),
        journeys=journeys,
    )


def test_journeys_go_by_priority_then_id_and_are_sorted_once() -> None:
    ws = workspace(journey("b", 1), journey("c", 5), journey("a", 1), journey("d", 0))
    assert [j.id for j in ws.by_priority] == ["c", "a", "b", "d"]
    assert ws.by_priority is ws.by_priority
