"""Run the due steps of one enrollment, sending each email at most once.

The send protocol: (1) commit a message row under the step's idempotency key, (2) call the
provider, (3) commit "sent" together with the enrollment's move to the next step. A crash
after (1) leaves a pending row that the retry finds and re-sends under the same message id
(the outbox overwrites its file; providers get the id as their idempotency key); a crash
after (3) leaves nothing to redo. docs/architecture.md walks through each case.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.delivery.compose import compose
from nurture.domain.conditions import Subject
from nurture.domain.contacts import PROFILE_FIELDS
from nurture.domain.journeys import Journey
from nurture.domain.steps import (
    Finish,
    MoveOn,
    NotifyStep,
    Perform,
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
from nurture.engine.send_rules import Defer, Skip, Stop, check_send
from nurture.engine.splits import record_split
from nurture.errors import ProviderRejected, TemplateError
from nurture.store import models

_MESSAGE_NAMESPACE = uuid.UUID("5d1b6a52-3c0e-4a8e-9f55-2b0f1c7a9e11")


def run_enrollment(rt: Runtime, enrollment_id: int, now: datetime) -> None:
    """Execute steps until the enrollment sleeps, finishes or leaves."""
    for _ in range(1000):
        with rt.sessions.begin() as session:
            enrollment = session.get(models.Enrollment, enrollment_id)
            if enrollment is None or enrollment.status != "active":
                return
            journey = rt.journey_of(enrollment.version)
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
                return
            if isinstance(action, Finish):
                finish(enrollment, "completed", now, action.reason)
                return
            if isinstance(action, MoveOn):
                if action.variant is not None:
                    record_split(session, enrollment, action.variant, now)
                _move_on(enrollment, journey, now, action.to, action.variant)
                continue
            outward: SendStep | NotifyStep
            if isinstance(action, Perform):
                if not isinstance(action.step, NotifyStep):
                    perform(rt, session, enrollment, action.step, now)
                    if enrollment.status == "active":
                        _move_on(enrollment, journey, now)
                    continue
                outward = action.step
                if enrollment.contact.owner is None and outward.webhook is None:
                    _move_on(enrollment, journey, now)  # nobody to tell yet
                    continue
            else:
                outward = action.step
                verdict = check_send(rt, session, enrollment, now)
                if isinstance(verdict, Stop):
                    finish(enrollment, "exited", now, verdict.reason)
                    return
                if isinstance(verdict, Defer):
                    enrollment.next_run_at = verdict.until
                    enrollment.lease_owner = enrollment.lease_until = None
                    return
                if isinstance(verdict, Skip):
                    _move_on(enrollment, journey, now)
                    continue
            message = _claim_message(rt, session, enrollment, outward, now)
        if message.status == "pending":
            if isinstance(outward, SendStep):
                _deliver(rt, message.id, outward)
            else:
                _notify(rt, message.id, outward)
        with rt.sessions.begin() as session:
            enrollment = session.get_one(models.Enrollment, enrollment_id)
            _move_on(enrollment, rt.journey_of(enrollment.version), now)
    raise RuntimeError(f"enrollment {enrollment_id} ran 1000 steps without waiting")


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
    """Go to step ``to`` (else the next in order), counting visits for the send keys."""
    assert enrollment.current_step is not None
    path = dict(enrollment.path or {})
    if variant is not None:
        path["variants"] = {**path.get("variants", {}), enrollment.current_step: variant}
    following = journey.step(to) if to is not None else journey.after(enrollment.current_step)
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


def _claim_message(
    rt: Runtime,
    session: Session,
    enrollment: models.Enrollment,
    step: SendStep | NotifyStep,
    now: datetime,
) -> models.Message:
    key = idempotency_key(enrollment, step.id, occurrence(enrollment, step.id))
    message = session.scalars(
        select(models.Message).where(models.Message.idempotency_key == key)
    ).first()
    if message is None:
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
        session.flush()
    return message


def _notify(rt: Runtime, message_id: int, step: NotifyStep) -> None:
    with rt.sessions.begin() as session:
        message = session.get_one(models.Message, message_id)
        contact = session.get_one(models.Contact, message.contact_id)
        context = {
            "contact": contact_context(contact),
            "journey": message.journey_id,
            "step": step.id,
        }
        owner = contact.owner
        email = None
        if step.webhook is None:
            assert owner is not None
            try:
                email = owner_email(rt, step, message.uid, owner, context, message.journey_id or "")
            except TemplateError as exc:
                message.status, message.error = "failed", str(exc)
                return
            message.subject = email.subject
        uid = message.uid
    if email is not None:
        provider_id = rt.provider.send(email)
    else:
        payload = {**context, "message_id": uid, "at": rt.clock.now().isoformat()}
        provider_id = post_webhook(rt, step, uid, payload)
    with rt.sessions.begin() as session:
        message = session.get_one(models.Message, message_id)
        message.status = "sent"
        message.provider_message_id = provider_id
        message.sent_at = rt.clock.now()


def _deliver(rt: Runtime, message_id: int, step: SendStep) -> None:
    with rt.sessions.begin() as session:
        message = session.get_one(models.Message, message_id)
        contact = session.get_one(models.Contact, message.contact_id)
        try:
            email = compose(
                rt.templates,
                rt.links,
                rt.workspace.sender,
                message.uid,
                message.journey_id or "",
                step,
                contact_context(contact),
            )
        except TemplateError as exc:
            message.status, message.error = "failed", str(exc)
            return
        message.subject = email.subject
    try:
        provider_id = rt.provider.send(email)
    except ProviderRejected as exc:
        with rt.sessions.begin() as session:
            message = session.get_one(models.Message, message_id)
            message.status, message.error = "failed", str(exc)
        return
    with rt.sessions.begin() as session:
        message = session.get_one(models.Message, message_id)
        message.status = "sent"
        message.provider_message_id = provider_id
        message.sent_at = rt.clock.now()


def contact_context(contact: models.Contact) -> dict[str, Any]:
    """What templates see as ``contact``: the profile, its state, and custom attributes."""
    fields = (*PROFILE_FIELDS, "stage", "score", "band", "grade")
    return {
        **{name: getattr(contact, name) for name in fields},
        "attributes": dict(contact.attributes),
    }
