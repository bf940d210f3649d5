"""Run claimed contacts' due work, handed over by a broker or by the claiming process.

The scheduler leases contacts under an owner id and hands ``(contacts, owner)`` on. A
broker delivers at least once, so the message may arrive twice, late, or after the
scheduler has given the contacts to someone else. :func:`take` settles that in one guarded
UPDATE: the lease moves from the message's owner (or from nobody) to a fresh token, so a
second copy of the same message finds the lease gone and does nothing. Everything the run
then writes is fenced on that token (engine/claim.py).

A contact's due work runs together, in this order: decay of its score, the SLA checks of
its handoffs, then the due steps of all its enrollments (engine/execute.py). Rules that
span a contact's journeys (the frequency cap, one email per round, priority) therefore see
everything sent or in flight for it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from nurture.engine.claim import ContactClaim
from nurture.engine.execute import run_batch
from nurture.engine.runtime import Runtime
from nurture.engine.upkeep import upkeep
from nurture.store import claims
from nurture.store.claims import CONTACTS
from nurture.store.converted import execute_one
from nurture.store.statements import contacts, enrollments

log = logging.getLogger(__name__)


def take(rt: Runtime, contact_ids: Sequence[int], owner: str, now: datetime) -> ContactClaim:
    """Move the leases from ``owner`` (or from nobody) to a new token: the contacts ours to run."""
    token = uuid.uuid4().hex
    with rt.engine.begin() as connection:
        taken = claims.take(connection, CONTACTS, contact_ids, owner, token, now, rt.lease)
    return ContactClaim(rt, token, set(taken))


def run_contacts(rt: Runtime, claim: ContactClaim, now: datetime) -> int:
    """Run the claimed contacts' due work, then release them; how many messages went out.

    On an error the claim is kept (the caller hands it back or lets it expire).
    """
    sent = 0
    if claim.held:
        with rt.engine.begin() as connection:
            held = claim.fence(connection)
            if held:
                upkeep(rt, connection, held, now)
            due = due_of(connection, held, now)  # after the upkeep: a score may enroll
        sent = run_batch(rt, claim, due, now)
    with rt.engine.begin() as connection:
        claims.release(connection, CONTACTS, claim.token)
    return sent


def claim_and_start(
    rt: Runtime, now: datetime, owner: str, limit: int, *, upkeep_due: bool = True
) -> tuple[ContactClaim, list[int]] | None:
    """Claim up to ``limit`` contacts with due work for ``owner`` and, in the same
    transaction, do what :func:`run_contacts` does first: the upkeep, then the due steps'
    enrollments; the claim and those (None: nothing was free and due).

    For a process that runs its own claims at once with the clock at ``now`` (the time
    traveller): the claim leases the contacts until ``now`` + the lease, as the fence that
    follows a claim renews them, and no one can take them between the two. ``upkeep_due=False``
    when the caller knows no decay or SLA check is due (its two reads would find none).
    """
    with claims.claiming(rt.engine) as connection:
        batch = claims.claim(connection, CONTACTS, contacts.due(limit), now, owner, rt.lease, limit)
        if not batch:
            return None
        claim = ContactClaim(rt, owner, set(batch), now + rt.lease)
        if upkeep_due:
            upkeep(rt, connection, claim.held, now)
        due = due_of(connection, claim.held, now)
    return claim, due


def due_of(connection: Connection, contact_ids: set[int], now: datetime) -> list[int]:
    """The enrollments of ``contact_ids`` with a step due at ``now``, the earliest first."""
    values = {"contact_ids": sorted(contact_ids), "now": now}
    return [row[0] for row in execute_one(connection, enrollments.DUE_OF_CONTACTS, values)]


def run_claimed(
    rt: Runtime, contact_ids: list[int], owner: str, now: datetime | None = None
) -> list[int]:
    """Take the contacts leased to ``owner`` and run their due work; those that were ours."""
    now = now or rt.clock.now()
    claim = take(rt, contact_ids, owner, now)
    taken = sorted(claim.held)
    if len(taken) < len(contact_ids):
        log.debug("%d contacts leased to another run", len(contact_ids) - len(taken))
    if not taken:
        return taken
    try:
        run_contacts(rt, claim, now)
    except BaseException:
        try:
            with rt.engine.begin() as connection:
                claims.hand_back(connection, CONTACTS, taken, claim.token, owner)
        except Exception:
            log.exception("could not hand the claim back; it expires instead")
        raise
    return taken
