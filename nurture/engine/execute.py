"""Run the due steps of claimed contacts' enrollments, sending each email at most once.

The send protocol: (1) commit a message row under the step's idempotency key, in a
transaction fenced on the claim, (2) renew the contact's lease and check the row is still
pending, call the provider, (3) at once commit "sent" on that row, retrying the mark for as
long as the database is away, (4) move the enrollment to its next step. A crash after (1)
leaves a pending row that the retry finds and re-sends under the same message id; a crash
after (3) leaves a sent row, and the retry moves on without sending. A step that fails
counts attempts with backoff, then fails for good, visibly. docs/architecture.md walks
through each case.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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
from nurture.engine.claim import ContactClaim
from nurture.engine.decisions import record_decision
from nurture.engine.effects import perform
from nurture.engine.facts import StoredFacts
from nurture.engine.journeys import finish, state_of
from nurture.engine.notify import owner_email, post_webhook
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.engine.send_history import SendHistory
from nurture.engine.send_rules import Defer, Skip, Stop, cap_window_start, check_send
from nurture.errors import ProviderRejected, TemplateError
from nurture.store import models
from nurture.store.statements import enrollments, messages

log = logging.getLogger(__name__)
_MESSAGE_NAMESPACE = uuid.UUID("5d1b6a52-3c0e-4a8e-9f55-2b0f1c7a9e11")
PERMANENT = (TemplateError, ProviderRejected)
"""Errors no retry can mend: the step fails at its first attempt."""
MARK_FIRST_WAIT = 0.05
MARK_MAX_WAIT = 2.0
MARK_PATIENCE = 3600.0
"""Real seconds a sent mark is retried while the database is unreachable."""


@dataclass(frozen=True)
class _Delivery:
    """A committed pending message and what goes out for it: an email, or a webhook body."""

    enrollment_id: int
    contact_id: int
    uid: str
    step: SendStep | NotifyStep
    email: OutgoingEmail | None
    payload: dict[str, Any] | None = None


def run_batch(
    rt: Runtime, claim: ContactClaim, enrollment_ids: Sequence[int], now: datetime
) -> int:
    """Execute the due steps of many enrollments in a few transactions for the whole batch.

    Each round is one transaction, fenced on the claim: it moves on the enrollments whose
    message went out in the round before, then advances every enrollment until it sleeps,
    finishes, leaves or reaches an outward step, whose message it claims and renders. The
    round's messages are then delivered outside any transaction, each right after its
    contact's lease is renewed, and marked sent as soon as it is out. A contact has at most
    one outward step per round, so whatever reads its sends (the frequency cap) sees them
    as one-by-one execution would. A step that fails counts an attempt and backs off, or
    fails for good (:func:`_failed_attempt`); only a lost database is raised.
    Returns how many messages went out.
    """
    waiting = list(dict.fromkeys(enrollment_ids))
    delivered: set[int] = set()
    sent = 0
    for _ in range(1000):
        if not waiting:
            break
        try:
            with rt.sessions.begin() as session:
                deliveries, later = _round(rt, claim, session, waiting, delivered, now)
        except DBAPIError:
            raise
        except Exception as exc:
            if len(waiting) == 1:
                log.exception("enrollment %s failed", waiting[0])
                _failed_attempt(rt, claim, waiting[0], exc, now)
                break
            log.warning("a batch of %d enrollments failed; running them one by one", len(waiting))
            for enrollment_id in waiting:
                sent += run_batch(rt, claim, [enrollment_id], now)
            break
        delivered = set()
        if not deliveries:
            waiting = later
            continue
        sent += _deliver_all(rt, claim, deliveries, delivered, now)
        waiting = [*delivered, *later]
    else:
        raise RuntimeError(f"enrollments {waiting} ran 1000 steps without waiting")
    return sent


def _deliver_all(
    rt: Runtime,
    claim: ContactClaim,
    deliveries: list[_Delivery],
    delivered: set[int],
    now: datetime,
) -> int:
    """Hand the round's messages over one by one; note in ``delivered`` who moves on."""
    sent = 0
    marks = _autocommit(rt)
    try:
        for delivery in deliveries:
            try:
                if not claim.ready(marks, delivery.contact_id, delivery.uid):
                    continue
            except DBAPIError:
                marks.close()
                raise
            try:
                provider_id = _hand_over(rt, delivery)
            except ProviderRejected as exc:
                log.warning("enrollment %s: refused for good: %s", delivery.enrollment_id, exc)
                marks = _mark(
                    rt,
                    marks,
                    messages.MARK_FAILED,
                    {"message_uid": delivery.uid, "error": str(exc)},
                )
                _failed_attempt(rt, claim, delivery.enrollment_id, exc, now)
            except Exception as exc:
                log.warning("enrollment %s: delivery failed: %s", delivery.enrollment_id, exc)
                _failed_attempt(rt, claim, delivery.enrollment_id, exc, now)
            else:
                outcome = {
                    "message_uid": delivery.uid,
                    "provider_id": provider_id,
                    "at": rt.clock.now(),
                }
                marks = _mark(rt, marks, messages.MARK_SENT, outcome)
                delivered.add(delivery.enrollment_id)
                sent += 1
    finally:
        marks.close()
    return sent


def _autocommit(rt: Runtime) -> Connection:
    return rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _mark(rt: Runtime, marks: Connection, statement: Any, values: dict[str, Any]) -> Connection:
    """Record the provider's answer, retrying while the database is unreachable.

    The provider has the email: failing here would retry the delivery and hand it over a
    second time. So the mark is retried with backoff (and the claim renewed with it) for as
    long as it takes; only the death of this process before it lands leaves the message
    pending. Returns the connection to carry on with.
    """
    wait = MARK_FIRST_WAIT
    started = time.monotonic()
    connection: Connection | None = marks
    while True:
        try:
            if connection is None:
                connection = _autocommit(rt)
            connection.execute(statement, values)
            return connection
        except DBAPIError as exc:
            if time.monotonic() - started > MARK_PATIENCE:
                raise
            log.warning(
                "message %s: mark failed (%s); retrying in %.2fs",
                values["message_uid"],
                str(exc).splitlines()[0],
                wait,
            )
            if connection is not None:
                connection.close()
            connection = None
            time.sleep(wait)
            wait = min(wait * 2, MARK_MAX_WAIT)


def _failed_attempt(
    rt: Runtime, claim: ContactClaim, enrollment_id: int, exc: BaseException, now: datetime
) -> None:
    """Count a failed attempt at the enrollment's step: back off, or fail the step for good.

    Permanent errors (a template that cannot render, a provider's or webhook's 4xx, an
    invalid address) fail at once; others after ``rt.retry.max_attempts``. A failed step
    ends the enrollment (exit reason ``failed``, the error kept, its message marked failed),
    where `nurture failures retry` can resume it.
    """
    error = f"{type(exc).__name__}: {exc}"[:2000]
    with rt.sessions.begin() as session:
        enrollment = session.get(models.Enrollment, enrollment_id)
        if enrollment is None or enrollment.status != "active":
            return
        if enrollment.contact_id not in claim.fence(session):
            return
        enrollment.attempts += 1
        enrollment.last_error = error
        if isinstance(exc, PERMANENT) or rt.retry.exhausted(enrollment.attempts):
            log.error(
                "enrollment %s: step %s failed: %s", enrollment_id, enrollment.current_step, error
            )
            finish(enrollment, "exited", now, enrollments.FAILED)
            session.execute(
                messages.FAIL_PENDING_OF_STEP,
                {
                    "of_enrollment": enrollment_id,
                    "of_step": enrollment.current_step,
                    "error": error,
                },
            )
        else:
            enrollment.next_run_at = now + rt.retry.wait(enrollment.attempts)


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
    rt: Runtime,
    claim: ContactClaim,
    session: Session,
    enrollment_ids: list[int],
    delivered: set[int],
    now: datetime,
) -> tuple[list[_Delivery], list[int]]:
    """One transaction of run_batch: the round's deliveries, and who waits for the next.

    It starts by renewing the claim; enrollments of contacts no longer ours are left alone.
    Within a contact, the journey of highest priority goes first.
    """
    held = claim.fence(session)
    loaded = session.scalars(
        enrollments.ACTIVE_WITH_CONTACTS, {"enrollment_ids": enrollment_ids}
    ).unique()
    by_id = {e.id: e for e in loaded if e.contact_id in held}
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
                messages.KEYS_OF_ENROLLMENTS, {"enrollment_ids": list(by_id)}
            )
        },
    )
    order = {enrollment_id: n for n, enrollment_id in enumerate(enrollment_ids)}
    ranked = sorted(
        by_id.values(),
        key=lambda e: (-rt.journey_for(e).priority, order[e.id]),
    )
    deliveries: list[_Delivery] = []
    later: list[int] = []
    busy: set[int] = set()
    for enrollment in ranked:
        if enrollment.status != "active":
            continue
        if enrollment.id in delivered:
            _move_on(enrollment, rt.journey_for(enrollment), now)
        if enrollment.contact_id in busy:
            later.append(enrollment.id)
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
            return None
        if isinstance(action, Finish):
            finish(enrollment, "completed", now, action.reason)
            return None
        if isinstance(action, MoveOn):
            record_decision(session, enrollment, journey, action, now)
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
            verdict = check_send(rt, session, state.history, enrollment, now, key)
            if isinstance(verdict, Stop):
                finish(enrollment, "exited", now, verdict.reason)
                return None
            if isinstance(verdict, Defer):
                enrollment.next_run_at = verdict.until
                return None
            if isinstance(verdict, Skip):
                _move_on(enrollment, journey, now)
                continue
        if message is None:
            message = _new_message(rt, session, enrollment, outward, key, now)
        delivery = _prepare(rt, enrollment, message, outward)
        if isinstance(delivery, _Delivery):
            return delivery
        _fail_now(enrollment, message, delivery, now)
        return None
    raise RuntimeError(f"enrollment {enrollment.id} ran 1000 steps without waiting")


def _fail_now(
    enrollment: models.Enrollment, message: models.Message, exc: TemplateError, now: datetime
) -> None:
    """A permanent error found inside the round: the step fails at its first attempt."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.error("enrollment %s: step %s failed: %s", enrollment.id, enrollment.current_step, error)
    message.status, message.error = "failed", error
    enrollment.attempts += 1
    enrollment.last_error = error
    finish(enrollment, "exited", now, enrollments.FAILED)


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
    enrollment.attempts, enrollment.last_error = 0, None
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
) -> _Delivery | TemplateError:
    """Render what the message sends; the TemplateError when it cannot be rendered.

    Any exception while rendering counts: a template that divides by zero fails the same
    way for every attempt, so it is a permanent error, not a crash to retry.
    """
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
        return exc
    except Exception as exc:
        return TemplateError(f"{step.id}: {type(exc).__name__}: {exc}")
    if email is not None:
        message.subject = email.subject
    return _Delivery(enrollment.id, enrollment.contact_id, message.uid, step, email, payload)


def _hand_over(rt: Runtime, delivery: _Delivery) -> str:
    """Call the provider (or post the webhook); the provider's id for what it took."""
    if delivery.email is not None:
        return rt.provider.send(delivery.email)
    assert delivery.payload is not None and isinstance(delivery.step, NotifyStep)
    payload = {**delivery.payload, "message_id": delivery.uid, "at": rt.clock.now().isoformat()}
    return post_webhook(rt, delivery.step, delivery.uid, payload)


def contact_context(contact: models.Contact) -> dict[str, Any]:
    """What templates see as ``contact``: the profile, its state, and custom attributes."""
    fields = (*PROFILE_FIELDS, "stage", "score", "band", "grade")
    return {
        **{name: getattr(contact, name) for name in fields},
        "attributes": dict(contact.attributes),
    }
