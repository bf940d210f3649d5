"""SLA breaches: an MQL not accepted by its due time goes to the next rep, or to a manager."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from nurture.domain.assignment import next_rep, pool_for
from nurture.engine.intake.changes import Changes
from nurture.engine.intake.core import handoff_event, queue_crm_webhook, queue_email
from nurture.engine.intake.records import ContactRow, HandoffRow
from nurture.engine.intake.state import WorkingSet
from nurture.engine.owner_messages import reassigned_to, taken_away
from nurture.engine.runtime import Runtime


def check(
    rt: Runtime,
    ws: WorkingSet,
    changes: Changes,
    handoff: HandoffRow,
    contact: ContactRow,
    now: datetime,
) -> None:
    """Escalate the handoff if it is still pending (its check is done either way).

    The next owner's SLA runs from the breach, not from when this check ran: a check that
    comes late does not give the next rep extra time.
    """
    rules = rt.workspace.handoff
    handoff.check_at = None
    changes.touched(handoff)
    if handoff.status != "pending":
        return
    breached = handoff.sla_due_at
    due = breached.isoformat()
    handoff.details = {
        **handoff.details,
        "breaches": [*handoff.details.get("breaches", []), due],
    }
    successor = None
    if rules.escalation.action == "reassign":
        pool = pool_for(ws.profile(contact), rules.team, rules.routes)
        had = [*handoff.details.get("owners", []), handoff.owner]
        successor = next_rep(pool, handoff.owner, skip=had)
    if successor is not None:
        previous = handoff.owner
        handoff.details = {**handoff.details, "owners": had}
        handoff.owner = contact.owner = successor
        handoff.sla_due_at = handoff.check_at = rules.due(breached)
        changes.touched(contact)
        handoff_event(
            changes,
            handoff,
            "escalated",
            f"SLA due {due} breached by {previous}: reassigned to {successor}",
            {
                "from": previous,
                "to": successor,
                "due": due,
                "sla_due": handoff.sla_due_at.isoformat(),
            },
            now,
        )
        queue_crm_webhook(rt, changes, handoff, contact, now, "reassigned")
        if rules.email_owner:  # the messages read the records as they read ORM rows
            for tell in (reassigned_to, taken_away):
                message = tell(cast(Any, contact), cast(Any, handoff), previous, breached)
                queue_email(changes, handoff, message.to, message.subject, message.lines, now)
    elif rules.escalation.manager is not None:
        manager = rules.escalation.manager
        handoff_event(
            changes,
            handoff,
            "escalated",
            f"SLA due {due} breached by {handoff.owner}: manager {manager} notified",
            {"manager": manager, "due": due},
            now,
        )
        queue_email(
            changes,
            handoff,
            manager,
            f"SLA breached: {contact.email} not accepted by {handoff.owner}",
            [
                f"The MQL {contact.email} (score {contact.score}, grade {contact.grade})",
                f"was due for acceptance by {handoff.owner} at {due}.",
            ],
            now,
        )
    else:
        handoff_event(
            changes,
            handoff,
            "escalated",
            f"SLA due {due} breached by {handoff.owner}: nobody else to escalate to",
            {"due": due},
            now,
        )
