"""Run the due steps of claimed contacts' enrollments, sending each email at most once.

The send protocol: (1) commit a message row under the step's idempotency key, in a
transaction fenced on the claim, (2) renew the contact's lease and check the row is still
pending, call the provider, (3) at once commit "sent" on that row, retrying the mark for as
long as the database is away, (4) move the enrollment to its next step. A crash after (1)
leaves a pending row that the retry finds and re-sends under the same message id; a crash
after (3) leaves a sent row, and the retry moves on without sending. A step that fails
counts attempts with backoff, then fails for good, visibly. docs/architecture.md walks
through each case.

A round runs on the set-based shape of engine/send/: its state read once, each enrollment
advanced on plain records, its writes buffered and written per table before it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from nurture.engine.claim import ContactClaim
from nurture.engine.runtime import Runtime
from nurture.engine.send.changes import Changes
from nurture.engine.send.core import Delivery, advance, move_on
from nurture.engine.send.delivery import deliver_all, failed_attempt
from nurture.engine.send.state import RoundState

log = logging.getLogger(__name__)


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
    fails for good (engine/send/delivery.failed_attempt); only a lost database is raised.
    Returns how many messages went out.
    """
    waiting = list(dict.fromkeys(enrollment_ids))
    delivered: set[int] = set()
    sent = 0
    for _ in range(1000):
        if not waiting:
            break
        try:
            with rt.engine.begin() as connection:
                deliveries, later = _round(rt, claim, connection, waiting, delivered, now)
        except DBAPIError:
            raise
        except Exception as exc:
            if len(waiting) == 1:
                log.exception("enrollment %s failed", waiting[0])
                failed_attempt(rt, claim, waiting[0], exc, now)
                break
            log.warning("a batch of %d enrollments failed; running them one by one", len(waiting))
            for enrollment_id in waiting:
                sent += run_batch(rt, claim, [enrollment_id], now)
            break
        delivered = set()
        if not deliveries:
            waiting = later
            continue
        sent += deliver_all(rt, claim, deliveries, delivered, now)
        waiting = [*delivered, *later]
    else:
        raise RuntimeError(f"enrollments {waiting} ran 1000 steps without waiting")
    return sent


def _round(
    rt: Runtime,
    claim: ContactClaim,
    connection: Connection,
    enrollment_ids: list[int],
    delivered: set[int],
    now: datetime,
) -> tuple[list[Delivery], list[int]]:
    """One transaction of run_batch: the round's deliveries, and who waits for the next.

    It starts by renewing the claim; enrollments of contacts no longer ours are left alone.
    Within a contact, the journey of highest priority goes first.
    """
    held = claim.fence(connection)
    state = RoundState.read(rt, connection, enrollment_ids, held, now)
    changes = Changes(connection)
    order = {enrollment_id: n for n, enrollment_id in enumerate(enrollment_ids)}
    ranked = sorted(
        state.enrollments.values(),
        key=lambda e: (-state.journey(e).priority, order[e.id]),  # type: ignore[index]
    )
    deliveries: list[Delivery] = []
    later: list[int] = []
    busy: set[int] = set()
    for enrollment in ranked:
        if enrollment.status != "active":
            continue
        assert enrollment.id is not None and type(enrollment.contact_id) is int
        if enrollment.id in delivered:
            move_on(changes, enrollment, state.journey(enrollment), now)
        if enrollment.contact_id in busy:
            later.append(enrollment.id)
            continue
        delivery = advance(rt, state, changes, enrollment, now)
        if delivery is not None:
            deliveries.append(delivery)
            busy.add(enrollment.contact_id)
    changes.flush()
    return deliveries, later
