"""One scheduler tick: claim the contacts with work due and run it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nurture.engine.claim import ContactClaim
from nurture.engine.dispatch import run_contacts, take
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import run_sweeps
from nurture.store import claims
from nurture.store.claims import CONTACTS
from nurture.store.statements import contacts as statements

#: Contacts run together in process (engine/execute.run_batch); also how often a stop is
#: looked at. A claim (100 at most) runs as one batch: each round's statements and commit,
#: the dispatch transaction and the release are paid once for all of them (25 at a time
#: took 30% more time per send, docs/performance.md). The lease stays safe however long
#: the batch runs: every provider call renews it first once a quarter of it has passed.
CHUNK = 100
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    claimed: int
    """Contacts claimed (each with some due work: steps, decay, an SLA check)."""
    sent: int
    """Messages out in this tick (not counting a batch that failed: its log says why)."""
    swept: int = 0


def claim_due(
    rt: Runtime,
    now: datetime,
    owner: str,
    limit: int = 100,
    lease: timedelta | None = None,
) -> list[int]:
    """Lease to ``owner`` up to ``limit`` contacts with due work (store/claims.py)."""
    with claims.claiming(rt.engine) as connection:
        return claims.claim(
            connection,
            CONTACTS,
            statements.due(limit),
            now,
            owner,
            lease or rt.lease,
            limit,
        )


def leased_count(rt: Runtime, now: datetime) -> int:
    """How many contacts are under a live lease: claimed work not yet done."""
    with rt.engine.connect() as connection:
        return claims.live(connection, CONTACTS, now)


def release_claims(rt: Runtime, owner: str, contact_ids: Sequence[int] | None = None) -> int:
    """Give back leases ``owner`` still holds (all, or those listed): a graceful shutdown."""
    with rt.engine.begin() as connection:
        return claims.release(connection, CONTACTS, owner, contact_ids)


def tick(
    rt: Runtime,
    now: datetime | None = None,
    *,
    lease: timedelta | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> TickResult:
    """Run everything due at ``now`` (default: the clock's time), batch after batch.

    When ``should_stop`` turns true the chunk in hand is finished and the claims not
    yet run are released, so another process can take them at once.
    """
    now = now or rt.clock.now()
    owner = uuid.uuid4().hex
    claimed = sent = 0
    swept = sum(run_sweeps(rt, now).values())
    while not should_stop() and (batch := claim_due(rt, now, owner, lease=lease)):
        claimed += len(batch)
        sent += run_claimed(rt, batch, owner, now, should_stop)
    return TickResult(claimed, sent, swept)


def run_claimed(
    rt: Runtime,
    batch: list[int],
    owner: str,
    now: datetime,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run the contacts leased to ``owner`` CHUNK at a time; how many messages went out.

    A batch of one chunk runs under ``owner`` itself (its leases are already ours); a larger
    one moves each chunk to a token of its own first, since a run releases all of its token's
    leases at its end. When ``should_stop`` turns true the chunks not yet run are released.
    """
    if len(batch) <= CHUNK and not should_stop():
        return _run(rt, ContactClaim(rt, owner, set(batch)), now)
    sent = 0
    for start in range(0, len(batch), CHUNK):
        if should_stop():
            release_claims(rt, owner, batch[start:])
            break
        sent += _run(rt, take(rt, batch[start : start + CHUNK], owner, now), now)
    return sent


def _run(rt: Runtime, claim: ContactClaim, now: datetime) -> int:
    try:
        return run_contacts(rt, claim, now)
    except Exception:
        log.exception("some contacts failed; their leases expire and they are retried")
        return 0
