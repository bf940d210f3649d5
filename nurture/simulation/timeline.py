"""What happened to each contact, read back from the rows the engine wrote.

The timeline is derived from the store (messages, ledger, stage history, enrollments,
handoffs, suppressions), so a simulation reports exactly what production code did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.store import models

# At one moment, causes come before effects: points, then the stage they earn, then journeys.
KINDS = ("score", "stage", "handoff", "suppressed", "enrolled", "sent", "skipped", "exited")


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
    emails = dict(session.execute(select(models.Contact.id, models.Contact.email)).all())
    entries: list[Entry] = []
    for e in session.scalars(select(models.Enrollment).order_by(models.Enrollment.id)):
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
    for row in session.scalars(select(models.ScoreEntry).order_by(models.ScoreEntry.id)):
        running[row.contact_id] = running.get(row.contact_id, 0) + row.points
        entries.append(
            Entry(
                row.at,
                emails[row.contact_id],
                "score",
                {"points": row.points, "rule": row.rule, "score": running[row.contact_id]},
            )
        )
    for change in session.scalars(select(models.StageChange).order_by(models.StageChange.id)):
        if change.from_stage is not None:
            entries.append(
                Entry(
                    change.at,
                    emails[change.contact_id],
                    "stage",
                    {"from": change.from_stage, "to": change.to_stage},
                )
            )
    contact_of = dict(session.execute(select(models.Handoff.id, models.Handoff.contact_id)).all())
    for event in session.scalars(select(models.HandoffEvent).order_by(models.HandoffEvent.id)):
        owner = event.data.get("owner") or event.data.get("to")
        if event.kind in ("assigned", "escalated") and owner:
            data = {"owner": owner, "sla_due": _utc(event.data["sla_due"])}
            if event.kind == "escalated":
                data["reason"] = event.detail
            entries.append(Entry(event.at, emails[contact_of[event.handoff_id]], "handoff", data))
    for message in session.scalars(select(models.Message).order_by(models.Message.id)):
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
    for suppression in session.scalars(select(models.Suppression).order_by(models.Suppression.id)):
        entries.append(
            Entry(
                suppression.created_at,
                suppression.email,
                "suppressed",
                {"reason": suppression.reason},
            )
        )
    return sorted(entries, key=Entry.sort_key)  # stable: rows keep their id order
