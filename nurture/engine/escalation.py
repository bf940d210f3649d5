"""SLA breaches: an MQL not accepted by its due time goes to the next rep, or to a manager."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain.assignment import next_rep, pool_for
from nurture.engine.handoff import record, tell_owner
from nurture.engine.notifications import queue_email, queue_webhook
from nurture.engine.owner_messages import reassigned_to, taken_away
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.store import models
from nurture.store.statements import handoffs as statements


def check_claimed(
    rt: Runtime, session: Session, contact_ids: Collection[int], now: datetime
) -> int:
    """Escalate the claimed contacts' pending handoffs whose SLA is due; how many.

    The next owner's SLA runs from the breach, not from when this check ran: a check that
    comes late does not give the next rep extra time.
    """
    rules = rt.workspace.handoff
    escalated = 0
    due = session.scalars(
        statements.CHECKS_DUE, {"contact_ids": list(contact_ids), "now": now}
    ).all()
    for handoff in due:
        handoff.check_at = None
        if handoff.status != "pending":
            continue
        escalated += 1
        contact = session.get_one(models.Contact, handoff.contact_id)
        breached = handoff.sla_due_at
        handoff.details = {
            **handoff.details,
            "breaches": [*handoff.details.get("breaches", []), breached.isoformat()],
        }
        successor = None
        if rules.escalation.action == "reassign":
            pool = pool_for(profile_of(contact), rules.team, rules.routes)
            had = [*handoff.details.get("owners", []), handoff.owner]
            successor = next_rep(pool, handoff.owner, skip=had)
        if successor is not None:
            previous = handoff.owner
            handoff.details = {**handoff.details, "owners": had}
            handoff.owner = contact.owner = successor
            handoff.sla_due_at = handoff.check_at = rules.due(breached)
            record(
                session,
                handoff,
                "escalated",
                f"SLA due {breached.isoformat()} breached by {previous}: reassigned to {successor}",
                now,
                data={
                    "from": previous,
                    "to": successor,
                    "due": breached.isoformat(),
                    "sla_due": handoff.sla_due_at.isoformat(),
                },
            )
            queue_webhook(rt, session, handoff, contact, now, "reassigned")
            tell_owner(
                rt, session, handoff, reassigned_to(contact, handoff, previous, breached), now
            )
            tell_owner(rt, session, handoff, taken_away(contact, handoff, previous, breached), now)
        elif rules.escalation.manager is not None:
            manager = rules.escalation.manager
            record(
                session,
                handoff,
                "escalated",
                f"SLA due {breached.isoformat()} breached by {handoff.owner}: "
                f"manager {manager} notified",
                now,
                data={"manager": manager, "due": breached.isoformat()},
            )
            queue_email(
                rt,
                session,
                handoff,
                manager,
                f"SLA breached: {contact.email} not accepted by {handoff.owner}",
                [
                    f"The MQL {contact.email} (score {contact.score}, grade {contact.grade})",
                    f"was due for acceptance by {handoff.owner} at {breached.isoformat()}.",
                ],
                now,
            )
        else:
            record(
                session,
                handoff,
                "escalated",
                f"SLA due {breached.isoformat()} breached by {handoff.owner}: "
                "nobody else to escalate to",
                now,
                data={"due": breached.isoformat()},
            )
    return escalated
