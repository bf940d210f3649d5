"""Branch decisions: how many enrollments went each way at each branch or wait_for step.

Read from ``branch_decisions`` (one row per decision, with the condition that chose it), by
the time the decision was made; an enrollment looping back through a branch counts again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope, Statement
from nurture.store.models import BranchDecision, Contact


@dataclass(frozen=True)
class BranchRow:
    cohort: str
    journey: str
    step: str
    condition: str
    target: str | None
    decisions: int
    contacts: int


def decisions_per_way(scope: Scope) -> Statement:
    """Named statement: decisions and distinct contacts per step, condition and target."""
    d = BranchDecision
    cohort = scope.cohort_of(Contact.created_at)
    keys = (d.journey_id, d.step_id, d.condition, d.target)
    return (
        select(
            cohort.label("cohort"),
            *keys,
            func.count().label("decisions"),
            func.count(func.distinct(d.contact_id)).label("contacts"),
        )
        .join(Contact, Contact.id == d.contact_id)
        .where(*scope.window(d.at))
        .group_by(*scope.cohort_groups(Contact.created_at), *keys)
        .order_by(*scope.cohort_groups(Contact.created_at), *keys)
    )


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
