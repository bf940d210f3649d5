"""Work that failed for good, as an operator sees it, and sending it again.

Two kinds: a journey step (its enrollment exited with reason ``failed``, the error and
attempts kept, the step's message marked failed) and a handoff notification (status
``failed``). Steps still backing off between attempts are listed too, as ``retrying``.
A retry puts a failed step back as due now with fresh attempts, on the same step and
under the same message key, so an email that did go out is not sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from nurture.engine.runtime import Runtime
from nurture.errors import InputError
from nurture.store import models
from nurture.store.statements import enrollments, messages, notifications

KINDS = ("enrollment", "notification")


@dataclass(frozen=True)
class Failure:
    id: str
    """``enrollment:N`` or ``notification:N``: what `nurture failures retry` takes."""
    status: str
    """``failed`` (for good) or ``retrying`` (backing off between attempts)."""
    contact: str
    journey: str
    step: str
    attempts: int
    error: str
    at: datetime | None
    """When it failed (failed), or when it is tried next (retrying)."""


def list_failures(rt: Runtime, *, retrying: bool = False) -> list[Failure]:
    found: list[Failure] = []
    with rt.sessions() as session:
        queries = [("failed", enrollments.FAILURES)]
        if retrying:
            queries.append(("retrying", enrollments.RETRYING))
        for status, query in queries:
            for e in session.scalars(query).unique():
                found.append(
                    Failure(
                        f"enrollment:{e.id}",
                        status,
                        e.contact.email,
                        e.journey_id,
                        e.current_step or "",
                        e.attempts,
                        e.last_error or "",
                        e.finished_at if status == "failed" else e.next_run_at,
                    )
                )
        for n in session.scalars(notifications.FAILED):
            found.append(
                Failure(
                    f"notification:{n.id}",
                    "failed",
                    n.target,
                    "handoff",
                    f"notification ({n.channel})",
                    n.attempts,
                    n.last_error or "",
                    n.created_at,
                )
            )
    return found


def retry_failures(rt: Runtime, ids: list[str] | None = None) -> int:
    """Put failed work (``ids``, or all of it) back as due now; how many went back."""
    now = rt.clock.now()
    count = 0
    with rt.sessions.begin() as session:
        if ids is None:
            steps = [e.id for e in session.scalars(enrollments.FAILURES).unique()]
            count += session.execute(notifications.RETRY_ALL, {"now": now}).rowcount  # type: ignore[attr-defined]
        else:
            wanted = [_parse(one) for one in ids]
            steps = [number for kind, number in wanted if kind == "enrollment"]
            notes = [number for kind, number in wanted if kind == "notification"]
            if notes:
                count += session.execute(notifications.RETRY, {"ids": notes, "now": now}).rowcount  # type: ignore[attr-defined]
        for enrollment_id in steps:
            count += _resume(session, enrollment_id, now)
    return count


def _resume(session: Session, enrollment_id: int, now: datetime) -> int:
    enrollment = session.get(models.Enrollment, enrollment_id)
    if enrollment is None:
        return 0
    step = enrollment.current_step
    resumed = session.execute(
        enrollments.RESUME, {"enrollment_id": enrollment_id, "now": now}
    ).rowcount  # type: ignore[attr-defined]
    if resumed:
        session.execute(
            messages.REOPEN_FAILED_OF_STEP, {"of_enrollment": enrollment_id, "of_step": step}
        )
    return int(resumed)


def _parse(text: str) -> tuple[str, int]:
    kind, _, number = text.partition(":")
    if kind not in KINDS or not number.isdigit():
        raise InputError(
            f"{text!r}: a failure id is enrollment:N or notification:N, as `nurture failures "
            "list` shows them"
        )
    return kind, int(number)
