"""A round's messages handed over, outside any transaction, one by one.

For each: renew the claim and check the row still waits (engine/claim.py ``ready``), call the
provider (or post the webhook), then at once a durable "sent" mark on that row alone,
retried for as long as the database is away. A failure counts an attempt at the step
(:func:`failed_attempt`): backoff, or the step fails for good.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from nurture.domain.steps import NotifyStep
from nurture.engine.claim import ContactClaim
from nurture.engine.journeys import finish
from nurture.engine.notify import post_webhook
from nurture.engine.runtime import Runtime
from nurture.engine.send.core import Delivery
from nurture.errors import ProviderRejected, TemplateError
from nurture.store import models
from nurture.store.converted import first_autocommitted
from nurture.store.statements import enrollments, messages

log = logging.getLogger(__name__)
PERMANENT = (TemplateError, ProviderRejected)
"""Errors no retry can mend: the step fails at its first attempt."""
MARK_FIRST_WAIT = 0.05
MARK_MAX_WAIT = 2.0
MARK_PATIENCE = 3600.0
"""Real seconds a sent mark is retried while the database is unreachable."""


def deliver_all(
    rt: Runtime,
    claim: ContactClaim,
    deliveries: list[Delivery],
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
                failed_attempt(rt, claim, delivery.enrollment_id, exc, now)
            except Exception as exc:
                log.warning("enrollment %s: delivery failed: %s", delivery.enrollment_id, exc)
                failed_attempt(rt, claim, delivery.enrollment_id, exc, now)
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
    second time. So the mark is retried with backoff for as long as it takes; only the death
    of this process before it lands leaves the message pending. The lease is not renewed
    meanwhile (it cannot be while the database is away): should this worker alone lose the
    database for longer than the lease, another may take the contact and send it again. Returns the connection to carry on with.
    """
    wait = MARK_FIRST_WAIT
    started = time.monotonic()
    connection: Connection | None = marks
    while True:
        try:
            if connection is None:
                connection = _autocommit(rt)
            first_autocommitted(connection, statement, values)
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


def _hand_over(rt: Runtime, delivery: Delivery) -> str:
    """Call the provider (or post the webhook); the provider's id for what it took."""
    if delivery.email is not None:
        return rt.provider.send(delivery.email)
    assert delivery.payload is not None and isinstance(delivery.step, NotifyStep)
    payload = {**delivery.payload, "message_id": delivery.uid, "at": rt.clock.now().isoformat()}
    return post_webhook(rt, delivery.step, delivery.uid, payload)


def failed_attempt(
    rt: Runtime, claim: ContactClaim, enrollment_id: int, exc: BaseException, now: datetime
) -> None:
    """Count a failed attempt at the enrollment's step: back off, or fail the step for good.

    Permanent errors (a template that cannot render, a provider's or webhook's 4xx, an
    invalid address) fail at once; others after ``rt.retry.max_attempts``. A failed step
    ends the enrollment (exit reason ``failed``, the error kept, its message marked failed),
    where `nurture failures retry` can resume it. Rare, so by the ORM, in its own fenced
    transaction.
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
