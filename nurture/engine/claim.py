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
from nurture.store.statements import contacts as statements

log = logging.getLogger(__name__)


@dataclass
class ContactClaim:
    rt: Runtime
    token: str
    held: set[int] = field(default_factory=set)

    def until(self) -> datetime:
        return self.rt.clock.now() + self.rt.lease

    def fence(self, session: Session) -> set[int]:
        """First in a write transaction: renew our leases; the contacts still ours."""
        return self._renewed(session.connection())

    def renew(self, connection: Connection) -> set[int]:
        """Renew our leases in autocommit ``connection`` (between transactions)."""
        return self._renewed(connection)

    def _renewed(self, connection: Connection) -> set[int]:
        if not self.held:
            return set()
        still = claims.renew(connection, CONTACTS, sorted(self.held), self.token, self.until())
        if lost := self.held - still:
            log.warning("claim lost on contacts %s: another run has them now", sorted(lost))
        self.held = still
        return still

    def ready(self, connection: Connection, contact_id: int, message_uid: str) -> bool:
        """Before a provider call: every lease of the run renewed (a slow provider must
        not let the contacts still waiting expire), this one still ours, the message
        still pending."""
        if contact_id not in self._renewed(connection):
            return False
        pending = connection.scalar(statements.PENDING, {"message_uid": message_uid})
        if pending is None:
            log.warning("message %s is no longer pending: not sending it", message_uid)
            return False
        return True
