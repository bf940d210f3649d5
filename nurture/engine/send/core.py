"""Each enrollment of a round advanced on plain records: the domain's step machine
(domain/steps.next_action), the send rules (engine/send_rules.check_send), the message row
claimed under the step's key and rendered. Decisions go into the round's state at once and
into its row buffers; nothing here opens a Session, except a step whose effect lives in the
store (update, handoff), which runs the engine's shared ORM code on the round's connection.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from nurture.delivery.compose import compose
from nurture.delivery.providers import OutgoingEmail
from nurture.domain.conditions import Subject
from nurture.domain.contacts import PROFILE_FIELDS
from nurture.domain.journeys import Journey
from nurture.domain.steps import (
    READS_CONTACT,
    Finish,
    HandoffStep,
    MoveOn,
    NotifyStep,
    SendStep,
    Sleep,
    Step,
    StepContext,
    UpdateStep,
    next_action,
)
from nurture.engine.decisions import branch_row, split_row
from nurture.engine.effects import perform
from nurture.engine.facts import StoredFacts
from nurture.engine.intake.records import EnrollmentRow
from nurture.engine.journeys import finish, state_of
from nurture.engine.notify import owner_email
from nurture.engine.runtime import Runtime
from nurture.engine.send.changes import ENROLLMENT_STATE, Changes
from nurture.engine.send.state import Message, RoundContact, RoundState
from nurture.engine.send_rules import Defer, Skip, Stop, check_send
from nurture.errors import TemplateError
from nurture.store import models
from nurture.store.statements import enrollments

log = logging.getLogger(__name__)
_MESSAGE_NAMESPACE = uuid.UUID("5d1b6a52-3c0e-4a8e-9f55-2b0f1c7a9e11")
_NAMESPACE_SHA1 = hashlib.sha1(_MESSAGE_NAMESPACE.bytes)
_STEPS = 1000


@dataclass(frozen=True)
class Delivery:
    """A pending message and what goes out for it: an email, or a webhook body."""

    enrollment_id: int
    contact_id: int
    uid: str
    step: SendStep | NotifyStep
    email: OutgoingEmail | None
    payload: dict[str, Any] | None = None


def advance(
    rt: Runtime, state: RoundState, changes: Changes, enrollment: EnrollmentRow, now: datetime
) -> Delivery | None:
    """Run steps until the enrollment rests (None) or has a message to deliver."""
    journey = state.journey(enrollment)
    for _ in range(_STEPS):
        contact = state.contact_of(enrollment)
        step = journey.step(enrollment.current_step)
        action = next_action(
            step,
            enrollment.step_entered_at,
            now,
            _context(rt, state, enrollment, contact, step, journey, now),
        )
        if isinstance(action, Sleep):
            enrollment.next_run_at = action.until
            changes.touched(enrollment)
            return None
        if isinstance(action, Finish):
            finish(enrollment, "completed", now, action.reason)
            changes.touched(enrollment)
            return None
        if isinstance(action, MoveOn):
            _record_decision(state, changes, enrollment, journey, action, now)
            move_on(changes, enrollment, journey, now, action.to, action.variant)
            continue
        outward = action.step
        if not isinstance(outward, SendStep | NotifyStep):
            _perform(rt, state, changes, enrollment, outward, now)
            if enrollment.status != "active":
                return None
            move_on(changes, enrollment, journey, now)
            continue
        if isinstance(outward, NotifyStep) and not (contact.owner or outward.webhook):
            move_on(changes, enrollment, journey, now)  # nobody to tell yet
            continue
        key = idempotency_key(enrollment, outward.id, occurrence(enrollment, outward.id))
        message = state.messages.get(key)
        if message is not None and message["status"] != "pending":
            move_on(changes, enrollment, journey, now)  # out already: a run before sent it
            continue
        if isinstance(outward, SendStep):
            verdict = check_send(rt, state.history, contact, journey, now, key)
            if isinstance(verdict, Stop):
                if verdict.suppress is not None:
                    changes.add("suppressions", _suppression(contact, verdict.suppress, now))
                finish(enrollment, "exited", now, verdict.reason)
                changes.touched(enrollment)
                return None
            if isinstance(verdict, Defer):
                enrollment.next_run_at = verdict.until
                changes.touched(enrollment)
                return None
            if isinstance(verdict, Skip):
                move_on(changes, enrollment, journey, now)
                continue
        if message is None:
            message = state.messages[key] = changes.add(
                "messages", _new_message(rt, contact, enrollment, outward, key, now)
            )
        delivery = _prepare(rt, changes, enrollment, contact, message, outward)
        if isinstance(delivery, Delivery):
            return delivery
        _fail_now(changes, enrollment, message, delivery, now)
        return None
    raise RuntimeError(f"enrollment {enrollment.id} ran {_STEPS} steps without waiting")


def _context(
    rt: Runtime,
    state: RoundState,
    enrollment: EnrollmentRow,
    contact: RoundContact,
    step: Step | None,
    journey: Journey,
    now: datetime,
) -> StepContext:
    """The step's context; the contact's subject and facts only for a step that reads them
    (a profile is a dozen fields to copy, and most steps are sends and waits)."""
    zone = contact.timezone or rt.workspace.timezone
    key = f"{contact.email}:{journey.id}"
    if not isinstance(step, READS_CONTACT):
        return StepContext(zone=zone, key=key)
    return StepContext(
        subject=Subject(state.profile(contact), state_of(contact), now),
        facts=StoredFacts(state.connection, contact.id, enrollment),
        zone=zone,
        key=key,
    )


def _record_decision(
    state: RoundState,
    changes: Changes,
    enrollment: EnrollmentRow,
    journey: Journey,
    action: MoveOn,
    now: datetime,
) -> None:
    """A split's variant (once per enrollment and split), or a branch's condition and target."""
    assert enrollment.id is not None and enrollment.current_step is not None
    if action.variant is not None and not state.split_taken(enrollment.id, enrollment.current_step):
        changes.add("split_assignments", split_row(enrollment, action.variant, now))
    row = branch_row(enrollment, journey, action, now)
    if row is not None:
        changes.add("branch_decisions", row)


def move_on(
    changes: Changes,
    enrollment: EnrollmentRow,
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
    changes.touched(enrollment)


def occurrence(enrollment: Any, step_id: str) -> int:
    """How many times the enrollment has reached this step (a goto loop comes back)."""
    return int((enrollment.path or {}).get("visits", {}).get(step_id, 1))


def idempotency_key(enrollment: Any, step_id: str, occurrence: int = 1) -> str:
    return f"enrollment:{enrollment.id}:v{enrollment.version_id}:{step_id}:{occurrence}"


def _perform(
    rt: Runtime,
    state: RoundState,
    changes: Changes,
    enrollment: EnrollmentRow,
    step: UpdateStep | HandoffStep,
    now: datetime,
) -> None:
    """A step whose effect stays in the store, by the engine's shared code (effects.perform,
    which scores, moves stages, hands off and lets journeys react) on the round's connection:
    the buffers are written first so it reads the round as it stands, and the contact and its
    enrollments in the round are read back from it after. As rare as such steps are."""
    changes.flush()
    with Session(bind=state.connection) as session:
        stored = session.get_one(models.Enrollment, enrollment.id)
        perform(rt, session, stored, step, now)
        session.flush()
        contact = state.contact_of(enrollment)
        for name in enrollments.ROUND_CONTACT_COLUMNS:
            setattr(contact, name, getattr(stored.contact, name))
        state.profiles.pop(stored.contact_id, None)
        for record in state.enrollments.values():
            if record.contact_id == stored.contact_id:
                found = session.get_one(models.Enrollment, record.id)
                for name in ENROLLMENT_STATE:
                    setattr(record, name, getattr(found, name))


def _new_message(
    rt: Runtime,
    contact: RoundContact,
    enrollment: EnrollmentRow,
    step: SendStep | NotifyStep,
    key: str,
    now: datetime,
) -> Message:
    if isinstance(step, SendStep):
        template = step.template
    else:
        template = "notify:webhook" if step.webhook else "notify:owner"
    return {
        "uid": message_uid(f"{key}:{contact.email}"),
        "idempotency_key": key,
        "contact_id": enrollment.contact_id,
        "enrollment_id": enrollment.id,
        "journey_id": enrollment.journey_id,
        "step_id": step.id,
        "template": template,
        "subject": None,
        "status": "pending",
        "provider": rt.provider.name if isinstance(step, SendStep) else "notify",
        "provider_message_id": None,
        "error": None,
        "created_at": now,
        "sent_at": None,
    }


def message_uid(name: str) -> str:
    """``str(uuid.uuid5(_MESSAGE_NAMESPACE, name))``, from the namespace's hash taken once
    and without building a UUID object (a fifth of the cost)."""
    digest = _NAMESPACE_SHA1.copy()
    digest.update(name.encode())
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _suppression(contact: RoundContact, reason: str, now: datetime) -> dict[str, Any]:
    return {"email": contact.email, "reason": reason, "event_id": None, "created_at": now}


def _prepare(
    rt: Runtime,
    changes: Changes,
    enrollment: EnrollmentRow,
    contact: RoundContact,
    message: Message,
    step: SendStep | NotifyStep,
) -> Delivery | TemplateError:
    """Render what the message sends; the TemplateError when it cannot be rendered.

    Any exception while rendering counts: a template that divides by zero fails the same
    way for every attempt, so it is a permanent error, not a crash to retry.
    """
    seen = contact_context(contact)
    journey = enrollment.journey_id
    uid = message["uid"]
    payload = None
    try:
        if isinstance(step, SendStep):
            email: OutgoingEmail | None = compose(
                rt.templates, rt.links, rt.workspace.sender, uid, journey, step, seen
            )
        elif step.webhook is None:
            assert contact.owner is not None
            context = {"contact": seen, "journey": journey, "step": step.id}
            email = owner_email(rt, step, uid, contact.owner, context, journey)
        else:
            email = None
            payload = {"contact": seen, "journey": journey, "step": step.id}
    except TemplateError as exc:
        return exc
    except Exception as exc:
        return TemplateError(f"{step.id}: {type(exc).__name__}: {exc}")
    if email is not None:
        message["subject"] = email.subject
        changes.message_changed(message)
    assert enrollment.id is not None and type(enrollment.contact_id) is int
    return Delivery(enrollment.id, enrollment.contact_id, uid, step, email, payload)


def _fail_now(
    changes: Changes,
    enrollment: EnrollmentRow,
    message: Message,
    exc: TemplateError,
    now: datetime,
) -> None:
    """A permanent error found inside the round: the step fails at its first attempt."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    log.error("enrollment %s: step %s failed: %s", enrollment.id, enrollment.current_step, error)
    message["status"], message["error"] = "failed", error
    changes.message_changed(message)
    enrollment.attempts += 1
    enrollment.last_error = error
    finish(enrollment, "exited", now, enrollments.FAILED)
    changes.touched(enrollment)


def contact_context(contact: Any) -> dict[str, Any]:
    """What templates see as ``contact``: the profile, its state, and custom attributes."""
    return {
        **{name: getattr(contact, name) for name in _CONTEXT_FIELDS},
        "attributes": dict(contact.attributes),
    }


_CONTEXT_FIELDS = (*PROFILE_FIELDS, "stage", "score", "band", "grade")
