"""Run the due steps of enrollments, sending each email at most once.

The send protocol: (1) commit a message row under the step's idempotency key, (2) call the
provider, (3) at once commit "sent" on that row, (4) move the enrollment to its next step.
A crash after (1) leaves a pending row that the retry finds and re-sends under the same
message id (the outbox overwrites its file; providers get the id as their idempotency key);
a crash after (3) leaves a sent row, and the retry moves on without sending.
docs/architecture.md walks through each case.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from nurture.delivery.compose import compose
from nurture.delivery.providers import OutgoingEmail
from nurture.domain.conditions import Subject
from nurture.domain.contacts import PROFILE_FIELDS
from nurture.domain.journeys import Journey
from nurture.domain.steps import (
    Finish,
    MoveOn,
    NotifyStep,
    SendStep,
    Sleep,
    StepContext,
    next_action,
)
from nurture.engine.effects import perform
from nurture.engine.facts import StoredFacts
from nurture.engine.journeys import finish, state_of
from nurture.engine.notify import owner_email, post_webhook
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.engine.send_history import SendHistory
from nurture.engine.send_rules import Defer, Skip, Stop, cap_window_start, check_send
from nurture.engine.splits import record_split
from nurture.errors import NurtureError, ProviderRejected, TemplateError
from nurture.store import models

log = logging.getLogger(__name__)
_MESSAGE_NAMESPACE = uuid.UUID("5d1b6a52-3c0e-4a8e-9f55-2b0f1c7a9e11")


class StepsFailed(NurtureError):
    """Some enrollments of a batch could not run; they stay where they were, to be retried."""

    def __init__(self, failures: dict[int, Exception]) -> None:
        super().__init__(
            "; ".join(
                f"enrollment {enrollment_id}: {type(exc).__name__}: {exc}"
                for enrollment_id, exc in failures.items()
            )
        )


@dataclass(frozen=True)
class _Delivery:
    """A committed pending message and what goes out for it: an email, or a webhook body."""

    enrollment_id: int
    uid: str
    step: SendStep | NotifyStep
    email: OutgoingEmail | None
    payload: dict[str, Any] | None = None


def run_batch(rt: Runtime, enrollment_ids: Sequence[int], now: datetime) -> int:
    """Execute the due steps of many enrollments in a few transactions for the whole batch.

    Each round is one transaction: it moves on the enrollments whose message went out in the
    round before, then advances every enrollment until it sleeps, finishes, leaves or
    reaches an outward step, whose message it claims and renders. The round's messages are
    then delivered outside any transaction, each marked sent on its own as soon as it is
    out. A contact has at most one outward step per round, so whatever reads its sends
    (the frequency cap) sees them as one-by-one execution would. When enrollments fail, the
    others still run, then the failure is raised (StepsFailed when there are several).
    Returns how many messages went out.
    """
    waiting = list(dict.fromkeys(enrollment_ids))
    delivered: set[int] = set()
    failed: dict[int, Exception] = {}
    sent = 0
    for _ in range(1000):
        if not waiting:
            break
        try:
            with rt.sessions.begin() as session:
                deliveries, later = _round(rt, session, waiting, delivered, now)
        except Exception:
            if len(waiting) == 1:
                raise
            log.warning("a batch of %d enrollments failed; running them one by one", len(waiting))
            sent += _one_by_one(rt, waiting, now, failed)
            break
        delivered = set()
        if not deliveries:
            waiting = later
            continue
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as marks:
            for delivery in deliveries:
                try:
                    sent += _deliver(rt, marks, delivery)
                except Exception as exc:
                    log.exception("enrollment %s: delivery failed", delivery.enrollment_id)
                    failed[delivery.enrollment_id] = exc
                    marks.rollback()  # after a lost connection, the next mark takes a new one
                else:
                    delivered.add(delivery.enrollment_id)
        waiting = [*delivered, *later]
    else:
        raise RuntimeError(f"enrollments {waiting} ran 1000 steps without waiting")
    if len(failed) == 1:
        raise next(iter(failed.values()))
    if failed:
        raise StepsFailed(failed)
    return sent


def _one_by_one(
    rt: Runtime, enrollment_ids: list[int], now: datetime, failed: dict[int, Exception]
) -> int:
    """After a failed round: run each enrollment alone, so one bad apple holds back no other.

    An enrollment whose message went out already finds it by its key and moves on.
    """
    sent = 0
    for enrollment_id in enrollment_ids:
        try:
            sent += run_batch(rt, [enrollment_id], now)
        except Exception as exc:
            log.exception("enrollment %s failed; it runs again on a retry", enrollment_id)
            failed[enrollment_id] = exc
    return sent


@dataclass(frozen=True)
class _Round:
    """One transaction of run_batch and what it read up front for all its enrollments."""

    session: Session
    history: SendHistory
    messages: dict[str, int]
    """The ids of the enrollments' messages by idempotency key."""

    def message(self, key: str) -> models.Message | None:
        found = self.messages.get(key)
        return None if found is None else self.session.get_one(models.Message, found)


def _round(
    rt: Runtime, session: Session, enrollment_ids: list[int], delivered: set[int], now: datetime
) -> tuple[list[_Delivery], list[int]]:
    """One transaction of run_batch: the round's deliveries, and who waits for the next."""
    E, M = models.Enrollment, models.Message
    loaded = session.scalars(
        select(E)
        .where(E.id.in_(enrollment_ids), E.status == "active")
        .options(joinedload(E.contact))
    ).unique()
    by_id = {enrollment.id: enrollment for enrollment in loaded}
    state = _Round(
        session,
        SendHistory(
            session,
            {e.contact_id: e.contact for e in by_id.values()}.values(),
            cap_window_start(rt, now),
        ),
        {
            key: message_id
            for key, message_id in session.execute(
                select(M.idempotency_key, M.id).where(M.enrollment_id.in_(list(by_id)))
            )
        },
    )
    deliveries: list[_Delivery] = []
    later: list[int] = []
    busy: set[int] = set()
    for enrollment_id in enrollment_ids:
        enrollment = by_id.get(enrollment_id)
        if enrollment is None or enrollment.status != "active":
            continue
        if enrollment_id in delivered:
            _move_on(enrollment, rt.journey_for(enrollment), now)
        if enrollment.contact_id in busy:
            later.append(enrollment_id)
            continue
        delivery = _advance(rt, state, enrollment, now)
        if delivery is not None:
            deliveries.append(delivery)
            busy.add(enrollment.contact_id)
    return deliveries, later


def _advance(
    rt: Runtime, state: _Round, enrollment: models.Enrollment, now: datetime
) -> _Delivery | None:
    """Run steps until the enrollment rests (None) or has a message to deliver."""
    session = state.session
    journey = rt.journey_for(enrollment)
    for _ in range(1000):
        step = journey.step(enrollment.current_step)
        action = next_action(
            step,
            enrollment.step_entered_at,
            now,
            _context(rt, session, enrollment, journey, now),
        )
        if isinstance(action, Sleep):
            enrollment.next_run_at = action.until
            enrollment.lease_owner = enrollment.lease_until = None
            return None
        if isinstance(action, Finish):
            finish(enrollment, "completed", now, action.reason)
            return None
        if isinstance(action, MoveOn):
            if action.variant is not None:
                record_split(session, enrollment, action.variant, now)
            _move_on(enrollment, journey, now, action.to, action.variant)
            continue
        outward = action.step
        if not isinstance(outward, SendStep | NotifyStep):
            perform(rt, session, enrollment, outward, now)
            if enrollment.status != "active":
                return None
            _move_on(enrollment, journey, now)
            continue
        if isinstance(outward, NotifyStep) and not (enrollment.contact.owner or outward.webhook):
            _move_on(enrollment, journey, now)  # nobody to tell yet
            continue
        key = idempotency_key(enrollment, outward.id, occurrence(enrollment, outward.id))
        message = state.message(key)
        if message is not None and message.status != "pending":
            _move_on(enrollment, journey, now)  # out already: a run before this one sent it
            continue
        if isinstance(outward, SendStep):
            verdict = check_send(rt, session, state.history, enrollment, now)
            if isinstance(verdict, Stop):
                finish(enrollment, "exited", now, verdict.reason)
                return None
            if isinstance(verdict, Defer):
                enrollment.next_run_at = verdict.until
                enrollment.lease_owner = enrollment.lease_until = None
                return None
            if isinstance(verdict, Skip):
                _move_on(enrollment, journey, now)
                continue
        if message is None:
            message = _new_message(rt, session, enrollment, outward, key, now)
        delivery = _prepare(rt, enrollment, message, outward)
        if delivery is not None:
            return delivery
        _move_on(enrollment, journey, now)  # its template failed: recorded as failed
    raise RuntimeError(f"enrollment {enrollment.id} ran 1000 steps without waiting")


def _context(
    rt: Runtime, session: Session, enrollment: models.Enrollment, journey: Journey, now: datetime
) -> StepContext:
    contact = enrollment.contact
    return StepContext(
        subject=Subject(profile_of(contact), state_of(contact), now),
        facts=StoredFacts(session, contact.id, enrollment),
        zone=contact.timezone or rt.workspace.timezone,
        key=f"{contact.email}:{journey.id}",
    )


def _move_on(
    enrollment: models.Enrollment,
    journey: Journey,
    now: datetime,
    to: str | None = None,
    variant: str | None = None,
) -> None:
    """Go to step ``to`` (else the next in order), counting visits for the send keys and
    moves between steps (``{from: {to: n}}``, "" for off the end) for the journey chart."""
    assert enrollment.current_step is not None
    path = dict(enrollment.path or {})
    if variant is not None:
        path["variants"] = {**path.get("variants", {}), enrollment.current_step: variant}
    following = journey.step(to) if to is not None else journey.after(enrollment.current_step)
    moves = dict(path.get("moves", {}))
    out = dict(moves.get(enrollment.current_step, {}))
    target = following.id if following else ""
    out[target] = out.get(target, 0) + 1
    moves[enrollment.current_step] = out
    path["moves"] = moves
    enrollment.current_step = following.id if following else None
    enrollment.step_entered_at = now
    if following is not None:
        visits = dict(path.get("visits", {}))
        visits[following.id] = visits.get(following.id, 0) + 1
        path["visits"] = visits
    enrollment.path = path


def occurrence(enrollment: models.Enrollment, step_id: str) -> int:
    """How many times the enrollment has reached this step (a goto loop comes back)."""
    return int((enrollment.path or {}).get("visits", {}).get(step_id, 1))


def idempotency_key(enrollment: models.Enrollment, step_id: str, occurrence: int = 1) -> str:
    return f"enrollment:{enrollment.id}:v{enrollment.version_id}:{step_id}:{occurrence}"


def _new_message(
    rt: Runtime,
    session: Session,
    enrollment: models.Enrollment,
    step: SendStep | NotifyStep,
    key: str,
    now: datetime,
) -> models.Message:
    if isinstance(step, SendStep):
        template = step.template
    else:
        template = "notify:webhook" if step.webhook else "notify:owner"
    message = models.Message(
        uid=str(uuid.uuid5(_MESSAGE_NAMESPACE, f"{key}:{enrollment.contact.email}")),
        idempotency_key=key,
        contact_id=enrollment.contact_id,
        enrollment_id=enrollment.id,
        journey_id=enrollment.journey_id,
        step_id=step.id,
        template=template,
        status="pending",
        provider=rt.provider.name if isinstance(step, SendStep) else "notify",
        created_at=now,
    )
    session.add(message)
    return message


def _prepare(
    rt: Runtime, enrollment: models.Enrollment, message: models.Message, step: SendStep | NotifyStep
) -> _Delivery | None:
    """Render what the message sends; a template that fails marks it failed (None)."""
    contact = contact_context(enrollment.contact)
    journey = message.journey_id or ""
    payload = None
    try:
        if isinstance(step, SendStep):
            email: OutgoingEmail | None = compose(
                rt.templates, rt.links, rt.workspace.sender, message.uid, journey, step, contact
            )
        elif step.webhook is None:
            assert enrollment.contact.owner is not None
            context = {"contact": contact, "journey": message.journey_id, "step": step.id}
            email = owner_email(rt, step, message.uid, enrollment.contact.owner, context, journey)
        else:
            email = None
            payload = {"contact": contact, "journey": message.journey_id, "step": step.id}
    except TemplateError as exc:
        message.status, message.error = "failed", str(exc)
        return None
    if email is not None:
        message.subject = email.subject
    return _Delivery(enrollment.id, message.uid, step, email, payload)


_MARK_SENT = (
    update(models.Message)
    .where(models.Message.uid == bindparam("message_uid"))
    .values(status="sent", provider_message_id=bindparam("provider_id"), sent_at=bindparam("at"))
)
_MARK_FAILED = (
    update(models.Message)
    .where(models.Message.uid == bindparam("message_uid"))
    .values(status="failed", error=bindparam("error"))
)


def _deliver(rt: Runtime, marks: Connection, delivery: _Delivery) -> bool:
    """Hand one message over, then record at once that it is out (True) or refused for good.

    ``marks`` is in autocommit: each mark is one statement, durable when it returns.
    """
    try:
        if delivery.email is not None:
            provider_id = rt.provider.send(delivery.email)
        else:
            assert delivery.payload is not None and isinstance(delivery.step, NotifyStep)
            payload = {
                **delivery.payload,
                "message_id": delivery.uid,
                "at": rt.clock.now().isoformat(),
            }
            provider_id = post_webhook(rt, delivery.step, delivery.uid, payload)
    except ProviderRejected as exc:
        outcome: dict[str, Any] = {"message_uid": delivery.uid, "error": str(exc)}
        statement = _MARK_FAILED
    else:
        outcome = {"message_uid": delivery.uid, "provider_id": provider_id, "at": rt.clock.now()}
        statement = _MARK_SENT
    marks.execute(statement, outcome)
    marks.commit()
    return statement is _MARK_SENT


def contact_context(contact: models.Contact) -> dict[str, Any]:
    """What templates see as ``contact``: the profile, its state, and custom attributes."""
    fields = (*PROFILE_FIELDS, "stage", "score", "band", "grade")
    return {
        **{name: getattr(contact, name) for name in fields},
        "attributes": dict(contact.attributes),
    }
