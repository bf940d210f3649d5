"""Branch decisions: how many enrollments went each way at each branch or wait_for step.

Read from ``branch_decisions`` (one row per decision, with the condition that chose it), by
the time the decision was made; an enrollment looping back through a branch counts again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.branches import decisions_per_way


@dataclass(frozen=True)
class BranchRow:
    cohort: str
    journey: str
    step: str
    condition: str
    target: str | None
    decisions: int
    contacts: int


def branches(connection: Connection, scope: Scope) -> list[BranchRow]:
    return [
        BranchRow(
            r.cohort,
            r.journey_id,
            r.step_id,
            r.condition,
            r.target,
            int(r.decisions),
            int(r.contacts),
        )
        for r in connection.execute(decisions_per_way(scope))
    ]
