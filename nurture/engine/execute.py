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
from nurture.domain.journeys import Journey
from nurture.domain.steps import Finish, MoveOn, Send, SendStep, Sleep, next_action
from nurture.engine.journeys import finish
from nurture.engine.runtime import Runtime
from nurture.engine.send_rules import Defer, Skip, Stop, check_send
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
            action = next_action(step, enrollment.step_entered_at, now)
            if isinstance(action, Sleep):
                enrollment.next_run_at = action.until
                enrollment.lease_owner = enrollment.lease_until = None
                return
            if isinstance(action, Finish):
                finish(enrollment, "completed", now, None)
                return
            if isinstance(action, MoveOn):
                _move_on(enrollment, journey, now)
                continue
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
            message = _claim_message(rt, session, enrollment, action, now)
        if message.status == "pending":
            _deliver(rt, message.id, action.step)
        with rt.sessions.begin() as session:
            enrollment = session.get_one(models.Enrollment, enrollment_id)
            _move_on(enrollment, rt.journey_of(enrollment.version), now)
    raise RuntimeError(f"enrollment {enrollment_id} ran 1000 steps without waiting")


def _move_on(enrollment: models.Enrollment, journey: Journey, now: datetime) -> None:
    assert enrollment.current_step is not None
    following = journey.after(enrollment.current_step)
    enrollment.current_step = following.id if following else None
    enrollment.step_entered_at = now


def idempotency_key(enrollment: models.Enrollment, step_id: str, occurrence: int = 1) -> str:
    return f"enrollment:{enrollment.id}:v{enrollment.version_id}:{step_id}:{occurrence}"


def _claim_message(
    rt: Runtime, session: Session, enrollment: models.Enrollment, action: Send, now: datetime
) -> models.Message:
    key = idempotency_key(enrollment, action.step.id)
    message = session.scalars(
        select(models.Message).where(models.Message.idempotency_key == key)
    ).first()
    if message is None:
        message = models.Message(
            uid=str(uuid.uuid5(_MESSAGE_NAMESPACE, f"{key}:{enrollment.contact.email}")),
            idempotency_key=key,
            contact_id=enrollment.contact_id,
            enrollment_id=enrollment.id,
            journey_id=enrollment.journey_id,
            step_id=action.step.id,
            template=action.step.template,
            status="pending",
            provider=rt.provider.name,
            created_at=now,
        )
        session.add(message)
        session.flush()
    return message


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
    """What templates see as ``contact``."""
    fields = (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "company",
        "company_size",
        "industry",
        "country",
        "timezone",
        "source",
        "stage",
        "score",
        "band",
        "grade",
    )
    return {
        **{name: getattr(contact, name) for name in fields},
        "attributes": dict(contact.attributes),
    }
