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
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.types import String

from nurture.reports.scope import Scope, Statement
from nurture.store.models import Contact, Handoff, HandoffEvent, StageChange

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


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _label(name: str) -> Any:
    return literal_column(f"'{name}'", String).label("what")


def owner_events(scope: Scope) -> Statement:
    """Named statement: per owner, handoffs given, reassigned to, reassigned away, escalated.

    One row per (cohort, owner, what): ``assigned`` rows name the owner in ``owner``,
    reassignments the new rep in ``to`` and the one who breached in ``from``; an escalation
    belongs to the handoff's owner (no reassignment follows one).
    """
    E = HandoffEvent
    cohort = scope.cohort_of(Contact.created_at).label("cohort")
    to = E.data["to"].as_string()

    def part(what: str, owner: Any, *conditions: Any) -> Any:
        return (
            select(cohort, owner.label("owner"), _label(what), E.id.label("event_id"))
            .select_from(E)
            .join(Handoff, Handoff.id == E.handoff_id)
            .join(Contact, Contact.id == Handoff.contact_id)
            .where(*conditions, *scope.window(Handoff.created_at))
        )

    escalated = E.kind == "escalated"
    before = E.at < scope.as_of
    rows = union_all(
        part("handed_off", E.data["owner"].as_string(), E.kind == "assigned"),
        part("reassigned_to", to, escalated, to.is_not(None), before),
        part("reassigned_away", E.data["from"].as_string(), escalated, to.is_not(None), before),
        part("escalated", Handoff.owner, escalated, to.is_(None), before),
    ).subquery("owner_events")
    return (
        select(rows.c.cohort, rows.c.owner, rows.c.what, func.count())
        .group_by(rows.c.cohort, rows.c.owner, rows.c.what)
        .order_by(rows.c.cohort, rows.c.owner, rows.c.what)
    )


def sla_compliance(scope: Scope) -> Statement:
    """Named statement: per current owner, how their handoffs were answered, and overdue ones
    the sweep has not handled yet (``check_at`` still set)."""
    answered = Handoff.responded_at.is_not(None)
    unanswered = ~answered & (Handoff.status == "pending")
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            Handoff.owner,
            _count(answered & (Handoff.responded_at <= Handoff.sla_due_at)).label("in_time"),
            _count(answered & (Handoff.responded_at > Handoff.sla_due_at)).label("late"),
            _count(unanswered & (Handoff.sla_due_at >= scope.as_of)).label("open"),
            _count(
                and_(
                    unanswered,
                    Handoff.sla_due_at < scope.as_of,
                    Handoff.check_at.is_not(None),
                )
            ).label("overdue"),
        )
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*scope.window(Handoff.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Handoff.owner)
        .order_by(*scope.cohort_groups(Contact.created_at), Handoff.owner)
    )


def handoff_totals(scope: Scope) -> Statement:
    """Named statement: handoffs and the contacts they were for, per cohort."""
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(
            cohort.label("cohort"),
            func.count(Handoff.id),
            func.count(func.distinct(Handoff.contact_id)),
        )
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*scope.window(Handoff.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at))
        .order_by(*scope.cohort_groups(Contact.created_at))
    )


def handoff_statuses(scope: Scope) -> Statement:
    """Named statement: handoffs per status and reason (rejections carry their reason)."""
    cohort = scope.cohort_of(Contact.created_at)
    reason = func.coalesce(Handoff.reason, "")
    return (
        select(cohort.label("cohort"), Handoff.status, reason.label("reason"), func.count())
        .join(Contact, Contact.id == Handoff.contact_id)
        .where(*scope.window(Handoff.created_at))
        .group_by(*scope.cohort_groups(Contact.created_at), Handoff.status, reason)
        .order_by(*scope.cohort_groups(Contact.created_at), Handoff.status, reason)
    )


def recycle_causes(scope: Scope) -> Statement:
    """Named statement: contacts recycled to marketing (or disqualified), per recorded cause."""
    cohort = scope.cohort_of(Contact.created_at)
    return (
        select(cohort.label("cohort"), StageChange.to_stage, StageChange.cause, func.count())
        .join(Contact, Contact.id == StageChange.contact_id)
        .where(
            StageChange.to_stage.in_(("recycled", "disqualified")),
            *scope.window(StageChange.at),
        )
        .group_by(*scope.cohort_groups(Contact.created_at), StageChange.to_stage, StageChange.cause)
        .order_by(*scope.cohort_groups(Contact.created_at), StageChange.to_stage, StageChange.cause)
    )


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
