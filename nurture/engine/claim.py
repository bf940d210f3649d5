"""A run's hold on the contacts it was given: one token, and every write fenced on it.

The scheduler leases contacts (store/claims.py); a run takes them under a fresh token and
holds them as :class:`ContactClaim`. Each transaction of the run starts with :meth:`fence`,
which renews the leases still under the token and drops the contacts that are not (an
overrunning run whose lease expired and was claimed again); before each provider call
:meth:`ready` renews them all again and checks the message still waits. A run that
lost its claim therefore stops before the provider, and a live one never lets its lease run
out while it works.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from nurture.engine.runtime import Runtime
from nurture.store import claims
from nurture.store.claims import CONTACTS
from nurture.store.converted import first_autocommitted
from nurture.store.statements import contacts as statements

log = logging.getLogger(__name__)


@dataclass
class ContactClaim:
    rt: Runtime
    token: str
    held: set[int] = field(default_factory=set)
    expires: datetime | None = None
    """When the leases as last renewed run out (None: not renewed by this run yet)."""

    def until(self) -> datetime:
        return self.rt.clock.now() + self.rt.lease

    def fence(self, transaction: Session | Connection) -> set[int]:
        """First in a write transaction (a Session's or a Connection's): renew our leases;
        the contacts still ours."""
        if isinstance(transaction, Session):
            return self._renewed(transaction.connection())
        return self._renewed(transaction)

    def renew(self, connection: Connection) -> set[int]:
        """Renew our leases in autocommit ``connection`` (between transactions)."""
        return self._renewed(connection)

    def _renewed(self, connection: Connection) -> set[int]:
        if not self.held:
            return set()
        until = self.until()
        still = claims.renew(connection, CONTACTS, sorted(self.held), self.token, until)
        self.expires = until
        if lost := self.held - still:
            log.warning("claim lost on contacts %s: another run has them now", sorted(lost))
        self.held = still
        return still

    def ready(self, connection: Connection, contact_id: int, message_uid: str) -> bool:
        """Before a provider call: the lease still ours and live, the message still pending.

        Once a quarter of the lease has passed since the last renewal, every lease of the
        run is renewed first (a slow provider must not let the contacts still waiting
        expire); otherwise one read checks both, so a fast run writes nothing per email.
        """
        now = self.rt.clock.now()
        if self.expires is None or now >= self.expires - self.rt.lease * 0.75:
            self._renewed(connection)
        if contact_id not in self.held:
            return False
        found = first_autocommitted(
            connection,
            statements.READY_TO_SEND,
            {"message_uid": message_uid, "token": self.token, "now": now},
        )
        if found is None:
            log.warning(
                "contact %s: claim lost or message %s not pending; not sending",
                contact_id,
                message_uid,
            )
            self.held.discard(contact_id)
            return False
        return True
