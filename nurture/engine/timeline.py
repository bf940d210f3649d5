"""Move a manual clock forward through the due times, running each tick on time.

The clock jumps from one due time to the next and never walks through empty time; this is
how the demo, the simulator and workspace tests travel through weeks in milliseconds.

Every due moment (the next free step, a lease's end, each sweep's kind) comes from one
statement, read once after each piece of work: the traveller knows what is due and when, so
it runs a sweep only when its work is due and claims contacts only while some are due,
instead of asking each kind and claiming until a claim comes back empty.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from nurture.clock import ManualClock
from nurture.engine.claim import ContactClaim
from nurture.engine.dispatch import claim_and_start
from nurture.engine.execute import run_batch
from nurture.engine.runtime import Runtime
from nurture.engine.sweeps import DUE, SWEEPS, run_sweeps
from nurture.engine.tick import CHUNK, claim_due, run_claimed
from nurture.store import claims
from nurture.store.claims import CONTACTS
from nurture.store.converted import select_one
from nurture.store.statements import contacts as statements

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Moments:
    """When each kind of work is next due, as one read found it."""

    step: datetime | None
    """The earliest moment an enrollment can run: its step's time, or its lease's end."""
    kinds: dict[str, datetime | None]
    """Each registered due kind (engine/sweeps.py) by name: notifications, decay, checks."""

    @classmethod
    def read(cls, rt: Runtime) -> Moments:
        with rt.engine.connect() as connection:
            return cls.read_on(connection)

    @classmethod
    def read_on(cls, connection: Connection) -> Moments:
        """As ``connection`` sees them (in its transaction: with what it has written)."""
        row = select_one(connection, statements.moments(DUE), {})
        found = [m for m in (row["free_step"], row["lease_end"]) if m is not None]
        return cls(min(found, default=None), {name: row[name] for name in DUE})

    def first(self) -> datetime | None:
        """When the earliest work of any kind is due (None: nothing waits)."""
        return min((m for m in (self.step, *self.kinds.values()) if m is not None), default=None)

    def earliest(self, until: datetime) -> datetime | None:
        found = self.first()
        return found if found is not None and found <= until else None

    def sweeps_due(self, now: datetime) -> list[str]:
        """The sweeps with work at ``now`` (one without a due read always has)."""
        return [name for name in SWEEPS if name not in DUE or _by(self.kinds[name], now)]

    def contacts_due(self, now: datetime) -> bool:
        """Some contact has work at ``now``: a step, a decay, an SLA check."""
        return _by(self.step, now) or self.upkeep_due(now)

    def upkeep_due(self, now: datetime) -> bool:
        """Some contact's decay or SLA check is due at ``now`` (engine/upkeep.py)."""
        return any(_by(m, now) for name, m in self.kinds.items() if name not in SWEEPS)


def _by(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


def next_due(rt: Runtime, until: datetime) -> datetime | None:
    """The earliest moment at or before ``until`` when some enrollment can run.

    A step of a leased contact can run again only once the lease has expired: the earliest
    step whose contact is free, or the end of a lease over a step due before it.
    """
    step = Moments.read(rt).step
    return step if step is not None and step <= until else None


def advance_to(rt: Runtime, clock: ManualClock, until: datetime) -> Moments:
    """Run every step and sweep due up to ``until`` at its own time; leave the clock at
    ``until``. Returns the moments after: all of them later than ``until``."""
    moments = Moments.read(rt)
    while (due := moments.earliest(until)) is not None:
        clock.set(max(due, clock.now()))
        claimed, moments = run_due(rt, clock.now(), moments)
        if claimed == 0 and moments.earliest(until) == due:
            raise RuntimeError(f"work due at {due} made no progress at {clock.now()}")
    if until > clock.now():
        clock.set(until)
    return moments


def run_due(rt: Runtime, now: datetime, moments: Moments) -> tuple[int, Moments]:
    """What a tick at ``now`` (the clock's time) runs, in its order (the sweeps, then the
    contacts claimed batch after batch), asking only for what ``moments`` says is due; the
    contacts claimed and the moments after.

    A batch runs as a tick's one-chunk batch does, with two transactions around its rounds
    instead of three and a read: the claim with what the dispatch transaction does first
    (dispatch.claim_and_start), then the release with the read of the moments after. The
    upkeep's reads are left out when ``moments`` says no decay or SLA check is due (after a
    sweep they are read anyway); should the upkeep fail, the batch runs as a tick runs it,
    which keeps the claim.
    """
    claimed = 0
    swept = bool(names := moments.sweeps_due(now))
    if swept:
        run_sweeps(rt, now, names)
    owner = uuid.uuid4().hex
    leased: set[int] = set()  # leased to ``owner`` and not released yet
    while moments.contacts_due(now):
        upkeep = swept or moments.upkeep_due(now)
        try:
            started = claim_and_start(rt, now, owner, CHUNK, upkeep_due=upkeep)
        except Exception:
            log.warning("the upkeep failed: running it as a tick does", exc_info=True)
            if not (batch := claim_due(rt, now, owner)):
                break
            claimed += len(batch)
            leased.update(batch)
            run_claimed(rt, batch, owner, now)
            moments, swept = Moments.read(rt), False
            continue
        if started is None:
            break
        claim, due = started
        claimed += len(claim.held)
        leased |= claim.held
        moments, swept = _run_started(rt, claim, due, now, leased), False
    return claimed, Moments.read(rt) if swept else moments


def _run_started(
    rt: Runtime, claim: ContactClaim, due: list[int], now: datetime, leased: set[int]
) -> Moments:
    """The rest of dispatch.run_contacts: the rounds, then the release of the token's leases
    (``leased``, emptied: the same rows as a release by token); the moments after, read in
    the release's transaction. On an error the claim is kept, as a tick keeps it (and the
    next batch's release gives it back, as a release by token does)."""
    try:
        run_batch(rt, claim, due, now)
        with rt.engine.begin() as connection:
            claims.release(connection, CONTACTS, claim.token, sorted(leased))
            moments = Moments.read_on(connection)
        leased.clear()
        return moments
    except Exception:
        log.exception("some contacts failed; their leases expire and they are retried")
        return Moments.read(rt)
