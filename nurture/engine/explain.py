"""Why a contact has its score: every ledger row, rule by rule, with dates; stages; handoff."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nurture.domain.contacts import normalise_email
from nurture.engine.as_of import standing
from nurture.engine.contacts import find_contact
from nurture.engine.history import ledger_of, stages_of
from nurture.engine.runtime import Runtime
from nurture.errors import NotFound
from nurture.store.statements import events, handoffs, notifications


def explain(rt: Runtime, email: str) -> dict[str, Any]:
    """The JSON of `nurture contacts explain`: the score is the sum of ``ledger``.

    Everything is as it stood at the runtime clock's time: rows after it are left out.
    """
    model = rt.workspace.scoring
    at = rt.clock.now()
    with rt.sessions() as session:
        contact = find_contact(session, normalise_email(email))
        if contact is None:
            raise NotFound(f"no contact {email!r}: import it with `nurture contacts import`")
        then = standing(
            contact, ledger_of(session, contact), stages_of(session, contact), model, at
        )
        ledger = then.ledger
        event_ids = list({r.event_id for r in ledger if r.event_id})
        sources = dict(session.execute(events.SOURCE_IDS, {"event_ids": event_ids}).all())
        stages = then.stages
        opened = session.scalars(
            handoffs.OF_CONTACT_AS_OF, {"contact_id": contact.id, "at": at}
        ).all()
        trail = {
            h.id: session.scalars(handoffs.TRAIL_AS_OF, {"handoff_id": h.id, "at": at}).all()
            for h in opened
        }
        rules: dict[str, int] = {}
        for row in ledger:
            rules[row.rule] = rules.get(row.rule, 0) + row.points
        return {
            "email": contact.email,
            "as_of": at.isoformat(),
            "score": then.score,
            "band": then.band,
            "grade": then.grade,
            "stage": then.stage,
            "owner": contact.owner if opened else None,
            "fit_points": then.fit_points,
            "behaviour_points": then.score - then.fit_points,
            "action": model.action(then.grade, then.band),
            "mql": {
                "score": rt.workspace.lifecycle.mql_score,
                "grades": sorted(rt.workspace.lifecycle.mql_grades),
            },
            "by_rule": rules,
            "ledger": [
                {
                    "at": r.at.isoformat(),
                    "rule": r.rule,
                    "kind": r.kind,
                    "points": r.points,
                    "reason": r.reason,
                    "event": sources.get(r.event_id) if r.event_id else None,
                }
                for r in ledger
            ],
            "stages": [
                {"at": s.at.isoformat(), "from": s.from_stage, "to": s.to_stage, "cause": s.cause}
                for s in stages
            ],
            "handoffs": [
                {
                    "owner": h.owner,
                    "status": h.status,
                    "sla_due_at": h.sla_due_at.isoformat(),
                    "reason": h.reason,
                    "bant": h.details.get("bant"),
                    "events": [
                        {"at": e.at.isoformat(), "kind": e.kind, "detail": e.detail}
                        for e in trail[h.id]
                    ],
                }
                for h in opened
            ],
        }


def handoff_board(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every handoff with its reassignments, escalations and SLA breaches, and every
    notification not delivered yet (nothing is lost silently), each naming its handoff."""
    now = rt.clock.now()
    with rt.sessions() as session:
        rows = session.execute(handoffs.WITH_EMAILS).all()
        escalations = Counter(
            (handoff_id, "reassignments" if (data or {}).get("to") else "escalations")
            for handoff_id, data in session.execute(handoffs.ESCALATIONS)
        )
        waiting = session.scalars(notifications.UNDELIVERED).all()
        board = []
        for h, email in rows:
            moved, told = escalations[(h.id, "reassignments")], escalations[(h.id, "escalations")]
            overdue = h.status == "pending" and h.check_at is not None and h.sla_due_at < now
            board.append(
                {
                    "id": h.id,
                    "email": email,
                    "owner": h.owner,
                    "status": h.status,
                    "created_at": h.created_at.isoformat(),
                    "sla_due_at": h.sla_due_at.isoformat(),
                    "reassignments": moved,
                    "escalations": told,
                    "breaches": moved + told + int(overdue),
                }
            )
        return {
            "handoffs": board,
            "undelivered": [
                {
                    "id": n.id,
                    "handoff_id": n.handoff_id,
                    "channel": n.channel,
                    "target": n.target,
                    "status": n.status,
                    "attempts": n.attempts,
                    "error": n.last_error,
                    "next_attempt_at": n.next_attempt_at.isoformat() if n.next_attempt_at else None,
                }
                for n in waiting
            ],
        }
