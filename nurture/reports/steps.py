"""Where contacts went inside each journey: visits per step and moves between steps.

Read from each enrollment's ``path`` (``visits``: how often it reached a step; ``moves``:
how often it went from one step to another, "" being off the end of the journey), for the
enrollments enrolled within the range, like the step exits of :mod:`nurture.reports.journeys`.
A step entered twice (a goto loop) counts twice. Moves from the entry are the enrollments.
Enrollments made before moves were recorded have visits but no moves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.steps import (
    VERSIONS,
    VERSIONS_OF_JOURNEY,
    enrollment_paths,
)

ENTRY = ""
"""The source of the move into a journey's first step."""
END = ""
"""The target of a move off the end of a journey."""


@dataclass(frozen=True)
class VisitRow:
    cohort: str
    journey: str
    step: str
    entered: int


@dataclass(frozen=True)
class MoveRow:
    cohort: str
    journey: str
    source: str
    target: str
    contacts: int


def visits_and_moves(connection: Connection, scope: Scope) -> tuple[list[VisitRow], list[MoveRow]]:
    visits: Counter[tuple[str, str, str]] = Counter()
    moves: Counter[tuple[str, str, str, str]] = Counter()
    for row in connection.execute(enrollment_paths(scope)):
        path = row.path or {}
        for step, n in path.get("visits", {}).items():
            visits[(row.cohort, row.journey_id, step)] += int(n)
        steps = (row.definition or {}).get("steps") or [{}]
        first = str(steps[0].get("id", ""))
        moves[(row.cohort, row.journey_id, ENTRY, first)] += 1
        for source, targets in path.get("moves", {}).items():
            for target, n in targets.items():
                moves[(row.cohort, row.journey_id, source, target)] += int(n)
    return (
        [VisitRow(*key, n) for key, n in sorted(visits.items())],
        [MoveRow(*key, n) for key, n in sorted(moves.items())],
    )


@dataclass(frozen=True)
class StoredVersion:
    journey: str
    name: str
    version: int
    current: bool
    created_at: datetime
    definition: dict[str, Any]


def versions(connection: Connection, journey_id: str | None = None) -> list[StoredVersion]:
    return [
        StoredVersion(
            r.id, r.name, r.version, r.version == r.current_version, r.created_at, r.definition
        )
        for r in (
            connection.execute(VERSIONS)
            if journey_id is None
            else connection.execute(VERSIONS_OF_JOURNEY, {"journey_id": journey_id})
        )
    ]
