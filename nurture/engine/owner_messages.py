"""What the owner of a handoff is told by email, for each thing that happens to it.

One function per occasion, each returning the message or None when the owner has nothing to
learn (a rep who answers their own MQL is not emailed about it). Sent only when the workspace
sets ``handoff.notify.email_owner``; docs/scoring.md lists every case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nurture.store import models


@dataclass(frozen=True)
class OwnerMessage:
    to: str
    subject: str
    lines: list[str]


def new_mql(contact: models.Contact, handoff: models.Handoff) -> OwnerMessage:
    """A new MQL assigned: who it is and by when to accept it."""
    return OwnerMessage(
        handoff.owner,
        f"New MQL for you: {contact.email} (score {contact.score}, grade {contact.grade})",
        [*_who(contact), _accept_by(contact, handoff)],
    )


def reassigned_to(
    contact: models.Contact, handoff: models.Handoff, previous: str, breached: datetime
) -> OwnerMessage:
    """An MQL whose SLA passed with another rep, now the new owner's to accept."""
    return OwnerMessage(
        handoff.owner,
        f"MQL reassigned to you: {contact.email} (score {contact.score}, grade {contact.grade})",
        [
            f"{previous} did not accept it by {breached.isoformat()}: it is yours now.",
            *_who(contact),
            _accept_by(contact, handoff),
        ],
    )


def taken_away(
    contact: models.Contact, handoff: models.Handoff, previous: str, breached: datetime
) -> OwnerMessage:
    """To the rep who missed the SLA: the MQL has gone to someone else."""
    return OwnerMessage(
        previous,
        f"MQL reassigned: {contact.email} is now {handoff.owner}'s",
        [
            f"{contact.email} was due for acceptance by {breached.isoformat()} and was not "
            f"accepted: it is reassigned to {handoff.owner}.",
            "Nothing is due from you for it.",
        ],
    )


def answered(
    contact: models.Contact,
    handoff: models.Handoff,
    actor: str,
    verb: str,
    stage: str,
    detail: str | None = None,
) -> OwnerMessage | None:
    """Someone else ``verb`` (accepted, rejected, qualified) the owner's MQL, which is now at
    ``stage``; None when the owner answered it.
    """
    if actor.strip().lower() == handoff.owner.lower():
        return None
    why = f": {detail}" if detail else ""
    return OwnerMessage(
        handoff.owner,
        f"Your MQL {contact.email} was {verb} by {actor}",
        [
            f"{actor} {verb} {contact.email}{why}.",
            f"It is now {_STAGES.get(stage, stage)}: nothing is due from you for it.",
        ],
    )


_STAGES = {"sal": "a SAL", "sql": "an SQL", "recycled": "recycled to marketing"}


def _who(contact: models.Contact) -> list[str]:
    name = f"{contact.first_name or ''} {contact.last_name or ''}".strip()
    return [
        f"{contact.email} ({name})" if name else contact.email,
        f"{contact.job_title or '-'} at {contact.company or '-'}",
        f"Score {contact.score} ({contact.band}), grade {contact.grade}.",
    ]


def _accept_by(contact: models.Contact, handoff: models.Handoff) -> str:
    return (
        f"Please accept by {handoff.sla_due_at.isoformat()}: nurture handoff accept {contact.email}"
    )
