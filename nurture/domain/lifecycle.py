"""Lifecycle stages and the rules that move a contact along them.

Automatic transitions only go forward; ``recycled`` and ``disqualified`` are reached only
through explicit, recorded transitions (domain/feedback.py), never by these rules.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

FUNNEL = ("subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer")
SIDE_STAGES = ("recycled", "disqualified")
ALL_STAGES = FUNNEL + SIDE_STAGES
#: Where a contact may become an MQL from (a recycled one earns it anew).
BEFORE_MQL = frozenset({"subscriber", "lead", "recycled"})


def rank(stage: str) -> int:
    """Position in the funnel; a recycled contact ranks as a lead again."""
    if stage == "recycled":
        return FUNNEL.index("lead")
    if stage == "disqualified":
        return -1
    return FUNNEL.index(stage)


def has_reached(stage: str, target: str) -> bool:
    return stage != "disqualified" and rank(stage) >= rank(target)


@dataclass(frozen=True)
class Transition:
    from_stage: str
    to_stage: str
    cause: str


def handed_off(stage: str, cause: str) -> Transition | None:
    """A journey's handoff step makes the contact an MQL, unless it is one already or beyond."""
    return Transition(stage, "mql", cause) if stage in BEFORE_MQL else None


@dataclass(frozen=True)
class LifecycleRules:
    """When a contact becomes a lead, and when an MQL (score AND fit)."""

    lead_events: frozenset[str]
    mql_score: int
    mql_grades: frozenset[str]

    def is_marketing_qualified(self, score: int, grade: str) -> bool:
        return score >= self.mql_score and grade in self.mql_grades

    def transitions(
        self, stage: str, score: int, grade: str, event_types: Collection[str] = ()
    ) -> list[Transition]:
        """The forward moves that the contact's new situation calls for, in order."""
        moves: list[Transition] = []
        if stage == "subscriber" and self.lead_events.intersection(event_types):
            kind = sorted(self.lead_events.intersection(event_types))[0]
            moves.append(Transition(stage, "lead", f"first real interaction: {kind}"))
            stage = "lead"
        if stage in BEFORE_MQL and self.is_marketing_qualified(score, grade):
            cause = f"score {score} >= {self.mql_score} and grade {grade}"
            moves.append(Transition(stage, "mql", cause))
        return moves
