"""Hand a new MQL to sales: an owner, an SLA due time, notifications, and an audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from nurture.domain.assignment import next_rep, pool_for
from nurture.domain.contacts import Profile
from nurture.domain.workspace import HandoffRules
from nurture.engine.notifications import queue_email, queue_webhook
from nurture.engine.owner_messages import OwnerMessage, new_mql
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.store import models
from nurture.store.statements.handoffs import LAST_OWNER_AMONG, LATEST_OF_CONTACT


def hand_off(
    rt: Runtime, session: Session, contact: models.Contact, now: datetime
) -> models.Handoff:
    rules = rt.workspace.handoff

    def last_owner(emails: list[str]) -> str | None:
        return session.scalars(LAST_OWNER_AMONG, {"emails": emails}).first()

    owner, note = choose_owner(rules, profile_of(contact), last_owner)
    due = rules.due(now)
    handoff = models.Handoff(
        contact_id=contact.id,
        owner=owner,
        status="pending",
        sla_due_at=due,
        check_at=due,
        details=handoff_details(contact),
        created_at=now,
    )
    session.add(handoff)
    session.flush()
    record(session, handoff, "assigned", note, now, data=assigned_data(owner, due))
    contact.owner = owner
    queue_webhook(rt, session, handoff, contact, now, "mql")
    tell_owner(rt, session, handoff, new_mql(contact, handoff), now)
    return handoff


def choose_owner(
    rules: HandoffRules, profile: Profile, last_owner: Callable[[list[str]], str | None]
) -> tuple[str, str]:
    """The rep a new MQL goes to, and the ``assigned`` audit line that says so.

    ``last_owner`` answers which of a pool's reps took the latest handoff, so round-robin
    carries on after them.
    """
    pool = pool_for(profile, rules.team, rules.routes)
    last = last_owner([rep.email for rep in pool])
    owner = next_rep(pool, last) or next_rep(rules.team, None) or rules.team[0].email
    pool_note = "" if len(pool) == len(rules.team) else " (route by territory/segment)"
    return owner, f"assigned to {owner}{pool_note}"


def handoff_details(contact: Any) -> dict[str, Any]:
    """What the contact looked like when handed off."""
    return {"score": contact.score, "grade": contact.grade, "band": contact.band}


def assigned_data(owner: str, due: datetime) -> dict[str, Any]:
    return {"owner": owner, "sla_due": due.isoformat()}


def tell_owner(
    rt: Runtime,
    session: Session,
    handoff: models.Handoff,
    message: OwnerMessage | None,
    now: datetime,
) -> None:
    """Queue ``message`` when there is one and the workspace emails owners."""
    if message is not None and rt.workspace.handoff.email_owner:
        queue_email(rt, session, handoff, message.to, message.subject, message.lines, now)


def record(
    session: Session,
    handoff: models.Handoff,
    kind: str,
    detail: str,
    now: datetime,
    actor: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(models.HandoffEvent(**event_row(handoff.id, kind, detail, data or {}, now, actor)))


def event_row(
    handoff: Any,
    kind: str,
    detail: str,
    data: dict[str, Any],
    now: datetime,
    actor: str | None = None,
) -> dict[str, Any]:
    """A line of a handoff's audit trail, about ``handoff`` (an id, or a buffered row of
    engine/intake/changes.py): the ORM code's and the set-based code's row alike."""
    return {
        "handoff_id": handoff,
        "kind": kind,
        "actor": actor,
        "detail": detail,
        "data": data,
        "at": now,
    }


def latest_handoff(session: Session, contact: models.Contact) -> models.Handoff | None:
    return session.scalars(LATEST_OF_CONTACT, {"contact_id": contact.id}).first()
