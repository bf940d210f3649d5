"""What happened to each contact, read back from the rows the engine wrote.

The timeline is derived from the store (messages, ledger, stage history, enrollments,
handoffs and their events, branch decisions, split assignments, suppressions), so a
simulation reports exactly what production code did, every decision with its cause.
docs/testing.md ("The timeline") lists each kind and its keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from nurture.store.statements import timeline as statements

# At one moment, causes come before effects: what sales did, points, the stage they earn, the
# handoff it makes, then journeys and the decisions inside them.
KINDS = (
    "sales",
    "score",
    "stage",
    "handoff",
    "reassigned",
    "escalated",
    "suppressed",
    "enrolled",
    "branch",
    "split",
    "sent",
    "skipped",
    "exited",
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    email: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[datetime, str, int]:
        return (self.at, self.email, KINDS.index(self.kind))

    def as_json(self) -> dict[str, Any]:
        return {
            "at": _utc(self.at.isoformat()),
            "email": self.email,
            "kind": self.kind,
            **self.data,
        }


def _utc(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def read_timeline(session: Session) -> list[Entry]:
    emails = dict(session.execute(statements.EMAILS).all())
    entries: list[Entry] = []
    for e in session.execute(statements.ENROLLMENTS):
        entries.append(
            Entry(e.enrolled_at, emails[e.contact_id], "enrolled", {"journey": e.journey_id})
        )
        if e.finished_at is not None:
            entries.append(
                Entry(
                    e.finished_at,
                    emails[e.contact_id],
                    "exited",
                    {"journey": e.journey_id, "reason": e.exit_reason or e.status},
                )
            )
    running: dict[int, int] = {}
    for row in session.execute(statements.SCORES):
        running[row.contact_id] = running.get(row.contact_id, 0) + row.points
        entries.append(
            Entry(
                row.at,
                emails[row.contact_id],
                "score",
                {
                    "points": row.points,
                    "rule": row.rule,
                    "score_kind": row.kind,
                    "score": running[row.contact_id],
                },
            )
        )
    for change in session.execute(statements.STAGE_CHANGES):
        if change.from_stage is not None:
            entries.append(
                Entry(
                    change.at,
                    emails[change.contact_id],
                    "stage",
                    {"from": change.from_stage, "to": change.to_stage, "cause": change.cause},
                )
            )
    handoffs = {h.id: h for h in session.execute(statements.HANDOFFS)}
    for event in session.execute(statements.HANDOFF_EVENTS):
        handoff = handoffs[event.handoff_id]
        found = _handoff_entry(event, handoff.reason)
        if found is not None:
            kind, data = found
            entries.append(Entry(event.at, emails[handoff.contact_id], kind, data))
    for decision in session.execute(statements.BRANCH_DECISIONS):
        entries.append(
            Entry(
                decision.at,
                emails[decision.contact_id],
                "branch",
                {
                    "journey": decision.journey_id,
                    "step": decision.step_id,
                    "condition": decision.condition,
                    "target": decision.target,
                },
            )
        )
    for split in session.execute(statements.SPLIT_ASSIGNMENTS):
        entries.append(
            Entry(
                split.assigned_at,
                emails[split.contact_id],
                "split",
                {"journey": split.journey_id, "step": split.step_id, "variant": split.variant},
            )
        )
    for message in session.execute(statements.MESSAGES):
        if message.status == "sent" and message.sent_at is not None:
            entries.append(
                Entry(
                    message.sent_at,
                    emails[message.contact_id],
                    "sent",
                    {
                        "journey": message.journey_id,
                        "step": message.step_id,
                        "template": message.template,
                        "subject": message.subject,
                    },
                )
            )
        elif message.status == "failed":
            entries.append(
                Entry(
                    message.created_at,
                    emails[message.contact_id],
                    "skipped",
                    {
                        "journey": message.journey_id,
                        "step": message.step_id,
                        "reason": message.error,
                    },
                )
            )
    for suppression in session.execute(statements.SUPPRESSIONS):
        entries.append(
            Entry(
                suppression.created_at,
                suppression.email,
                "suppressed",
                {"reason": suppression.reason},
            )
        )
    return sorted(entries, key=Entry.sort_key)  # stable: rows keep their id order


SALES = {"accepted": "accept", "rejected": "reject", "qualified": "qualify"}


def _handoff_entry(event: Row[Any], reason: str | None) -> tuple[str, dict[str, Any]] | None:
    """A handoff's audit row as a timeline entry: a new owner, a breach, or sales' answer.

    A breach reassigned to the next rep is ``reassigned``; one told to a manager (or to
    nobody, when there is no one else) is ``escalated``. Notification rows are not shown.
    """
    d = event.data
    if event.kind == "assigned":
        return "handoff", {"owner": d["owner"], "sla_due": _utc(d["sla_due"])}
    if event.kind == "escalated" and d.get("to"):
        return "reassigned", {
            "from": d["from"],
            "to": d["to"],
            "breached_due": _utc(d["due"]),
            "sla_due": _utc(d["sla_due"]),
        }
    if event.kind == "escalated":
        return "escalated", {
            "to": d.get("manager"),
            "why": event.detail,
            "breached_due": _utc(d["due"]),
        }
    if event.kind in SALES:
        data: dict[str, Any] = {"action": SALES[event.kind], "by": event.actor}
        data["cause"] = event.detail
        if event.kind == "rejected":
            data["reason"] = reason
        if d.get("bant"):
            data["bant"] = d["bant"]
        return "sales", data
    return None
