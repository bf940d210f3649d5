"""Sales answers a handoff: accept, reject, qualify; and the explicit recycle / disqualify."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.domain import feedback
from nurture.domain.contacts import normalise_email
from nurture.domain.lifecycle import Transition
from nurture.engine.contacts import find_contact
from nurture.engine.handoff import latest_handoff, record, tell_owner
from nurture.engine.journeys import react
from nurture.engine.notifications import queue_webhook
from nurture.engine.owner_messages import answered
from nurture.engine.runtime import Runtime
from nurture.engine.stages import apply_move
from nurture.errors import FeedbackError, NotFound
from nurture.store import models


def accept(rt: Runtime, email: str, by: str | None = None) -> str:
    def act(session: Session, contact: models.Contact, now: datetime) -> Transition:
        handoff = _open_handoff(session, contact)
        actor = by or handoff.owner
        move = feedback.accept(contact.stage, actor)
        handoff.status, handoff.responded_at, handoff.check_at = "accepted", now, None
        record(session, handoff, "accepted", move.cause, now, actor)
        tell_owner(rt, session, handoff, answered(contact, handoff, actor, "accepted", "sal"), now)
        return move

    return _apply(rt, email, act)


def qualify(rt: Runtime, email: str, bant: feedback.Bant, by: str | None = None) -> str:
    def act(session: Session, contact: models.Contact, now: datetime) -> Transition:
        handoff = _open_handoff(session, contact, ("pending", "accepted"))
        actor = by or handoff.owner
        move = feedback.qualify(contact.stage, actor, bant)
        if handoff.responded_at is None:
            handoff.responded_at = now
        handoff.status, handoff.check_at = "qualified", None
        handoff.details = {**handoff.details, "bant": bant.as_dict()}
        record(session, handoff, "qualified", move.cause, now, actor, {"bant": bant.as_dict()})
        summary = "; ".join(f"{k} {v}" for k, v in bant.as_dict().items())
        message = answered(contact, handoff, actor, "qualified", "sql", f"BANT {summary}")
        tell_owner(rt, session, handoff, message, now)
        return move

    return _apply(rt, email, act)


def reject(rt: Runtime, email: str, reason: str, by: str | None = None) -> str:
    def act(session: Session, contact: models.Contact, now: datetime) -> Transition:
        handoff = _open_handoff(session, contact, ("pending", "accepted"))
        actor = by or handoff.owner
        move = feedback.reject(contact.stage, actor, reason)
        handoff.status, handoff.reason, handoff.check_at = "rejected", reason.strip(), None
        if handoff.responded_at is None:
            handoff.responded_at = now
        record(session, handoff, "rejected", move.cause, now, actor)
        queue_webhook(rt, session, handoff, contact, now, "rejected")  # the CRM hears of it
        message = answered(contact, handoff, actor, "rejected", "recycled", reason.strip())
        tell_owner(rt, session, handoff, message, now)
        return move

    return _apply(rt, email, act)


def recycle(rt: Runtime, email: str, reason: str) -> str:
    return _apply(rt, email, lambda _s, contact, _now: feedback.recycle(contact.stage, reason))


def disqualify(rt: Runtime, email: str, reason: str) -> str:
    return _apply(rt, email, lambda _s, contact, _now: feedback.disqualify(contact.stage, reason))


Act = Callable[[Session, models.Contact, datetime], Transition]


def _apply(rt: Runtime, email: str, act: Act) -> str:
    """Run one feedback in a transaction: the stage move, its history row, and its effects."""
    now = rt.clock.now()
    with rt.sessions.begin() as session:
        contact = find_contact(session, normalise_email(email))
        if contact is None:
            raise NotFound(f"no contact {email!r}")
        try:
            move = act(session, contact, now)
        except feedback.FeedbackRefused as exc:
            raise FeedbackError(f"{contact.email}: {exc}") from None
        apply_move(rt, session, contact, move, now)
        react(rt, session, contact, now, suppressed=move.to_stage == "disqualified")
        return str(move.to_stage)


def _open_handoff(
    session: Session, contact: models.Contact, statuses: tuple[str, ...] = ("pending",)
) -> models.Handoff:
    handoff = latest_handoff(session, contact)
    if handoff is None or handoff.status not in statuses:
        state = "no handoff" if handoff is None else f"its handoff is {handoff.status}"
        raise FeedbackError(f"{contact.email} is {contact.stage} and {state}")
    return handoff
