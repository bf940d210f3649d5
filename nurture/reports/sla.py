"""The handoff SLA: did sales respond in time, how often it was breached, what was recycled.

Every figure counts one thing. A **handoff** is an MQL given to sales (``assigned``); a
**reassignment** gives it to the next rep after a breach, an **escalation** tells the
manager (or nobody, when there is no one else). Per owner: the handoffs they were given,
the ones reassigned to them, how the handoffs they hold now were answered (in time when
``responded_at <= sla_due_at``, else late; open while unanswered and not yet due), and the
SLA **breaches** that were theirs: each reassignment away from them and each escalation
(one per breach, as the sweep recorded it), plus a handoff of theirs whose due time passed
before the report's ``as_of`` and that the sweep has not handled yet. So a contact whose
SLA was breached three times counts three breaches. Handoffs count by ``created_at``;
recycles by the time they happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.sla import (
    handoff_statuses,
    handoff_totals,
    owner_events,
    recycle_causes,
    sla_compliance,
)

SLA_COUNTS = (
    "handed_off",
    "reassigned_to",
    "in_time",
    "late",
    "open",
    "breaches",
    "reassigned_away",
    "escalated",
)


@dataclass
class SlaRow:
    cohort: str
    owner: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SLA_COUNTS, 0))

    @property
    def compliance(self) -> float | None:
        """Of the times this owner was given a handoff and it is no longer open: answered in time."""
        given = self.counts["handed_off"] + self.counts["reassigned_to"] - self.counts["open"]
        return self.counts["in_time"] / given if given > 0 else None


@dataclass(frozen=True)
class Totals:
    cohort: str
    handoffs: int
    contacts: int
    reassignments: int
    escalations: int
    breaches: int


@dataclass(frozen=True)
class Reason:
    cohort: str
    kind: str
    reason: str
    count: int


def sla(connection: Connection, scope: Scope) -> list[SlaRow]:
    rows: dict[tuple[str, str], SlaRow] = {}

    def row(cohort: str, owner: str) -> SlaRow:
        return rows.setdefault((cohort, owner), SlaRow(cohort, owner))

    for cohort, owner, what, n in connection.execute(owner_events(scope)):
        if owner is not None:
            row(cohort, owner).counts[what] += int(n)
    for r in connection.execute(sla_compliance(scope)):
        counts = row(r.cohort, r.owner).counts
        counts.update(in_time=int(r.in_time), late=int(r.late), open=int(r.open))
        counts["breaches"] += int(r.overdue)
    for found in rows.values():
        found.counts["breaches"] += found.counts["reassigned_away"] + found.counts["escalated"]
    return [rows[key] for key in sorted(rows)]


def totals(connection: Connection, scope: Scope, per_owner: list[SlaRow]) -> list[Totals]:
    """Handoffs, reassignments, escalations and breaches per cohort: each counted once."""
    summed: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in per_owner:
        for name in ("reassigned_away", "escalated", "breaches"):
            summed[r.cohort][name] += r.counts[name]
    return [
        Totals(
            cohort,
            int(handoffs),
            int(contacts),
            summed[cohort]["reassigned_away"],
            summed[cohort]["escalated"],
            summed[cohort]["breaches"],
        )
        for cohort, handoffs, contacts in connection.execute(handoff_totals(scope))
    ]


def reasons(connection: Connection, scope: Scope) -> list[Reason]:
    statuses = [
        Reason(cohort, f"handoff {status}", reason, int(n))
        for cohort, status, reason, n in connection.execute(handoff_statuses(scope))
    ]
    recycled = [
        Reason(cohort, stage, cause, int(n))
        for cohort, stage, cause, n in connection.execute(recycle_causes(scope))
    ]
    return statuses + recycled
