"""The working set of a chunk: what its events or contacts look up, read once by named
statements and kept current in memory as each item changes it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from nurture.domain.contacts import Profile
from nurture.domain.journeys import Journey
from nurture.domain.scorebook import ScoreBook
from nurture.engine.facts import StoredFacts
from nurture.engine.intake.changes import Changes
from nurture.engine.intake.records import (
    ContactRow,
    EnrollmentRow,
    contact_from,
    enrollment_from,
)
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import load_books, profile_of
from nurture.store.converted import read_all
from nurture.store.statements import contacts, enrollments, events, journeys, suppressions
from nurture.store.statements.handoffs import LAST_OWNER_AMONG
from nurture.store.statements.ledger import FIT_SUMS


def stored_source_ids(connection: Connection, source_ids: Collection[str]) -> set[str]:
    if not source_ids:
        return set()
    found = read_all(connection, events.STORED_SOURCE_IDS, {"source_ids": list(source_ids)})
    return {source_id for (source_id,) in found}


@dataclass
class WorkingSet:
    """Keyed by email: contacts, their enrollments, score books, fit sums and suppressions.

    A contact the chunk creates joins the set when it is made; what the chunk decides is
    applied here at once, so the next item of the chunk sees it, as it would see it in the
    store one transaction later.
    """

    rt: Runtime
    connection: Connection
    known: set[str]
    contacts: dict[str, ContactRow]
    enrollments: dict[str, list[EnrollmentRow]]
    books: dict[str, ScoreBook] = field(default_factory=dict)
    fit: dict[str, dict[str, int]] = field(default_factory=dict)
    suppressions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """email -> {"id", "reason"} (a buffered row until the flush gives it an id)."""
    profiles: dict[str, Profile] = field(default_factory=dict)
    """Each contact's profile, made once: events never change it (an import forgets it)."""
    _versions: dict[str, int] | None = None
    _last_owners: dict[tuple[str, ...], str | None] = field(default_factory=dict)
    _assigned: list[str] = field(default_factory=list)

    @classmethod
    def read(
        cls,
        rt: Runtime,
        connection: Connection,
        emails: Collection[str],
        source_ids: Collection[str] = (),
        *,
        for_events: bool = True,
    ) -> WorkingSet:
        """For events: known ids, contacts, enrollments, books, suppressions; for contacts
        (``for_events=False``): contacts, enrollments and the sums of their fit rows."""
        found = cls._of(rt, connection, contacts.OF_EMAILS, {"emails": list(emails)})
        found.known = stored_source_ids(connection, source_ids)
        found.read_enrollments(found.contacts.values())
        by_id = {contact.id: email for email, contact in found.contacts.items()}
        ids = list(by_id)
        if ids and for_events:
            found.read_books(found.contacts.values())
        elif ids:
            found.fit = {email: {} for email in found.contacts}
            for contact_id, rule, points in connection.execute(FIT_SUMS, {"contact_ids": ids}):
                found.fit[by_id[contact_id]][rule] = int(points or 0)
        if for_events:
            found.suppressions = {
                email: {"id": id_, "reason": reason}
                for id_, email, reason in read_all(
                    connection, suppressions.OF_EMAILS, {"emails": list(emails)}
                )
            }
        return found

    @classmethod
    def of_ids(
        cls, rt: Runtime, connection: Connection, contact_ids: Collection[int]
    ) -> WorkingSet:
        """Stored contacts by id, alone (:meth:`read_enrollments`, :meth:`read_books`)."""
        return cls._of(rt, connection, contacts.OF_IDS, {"contact_ids": list(contact_ids)})

    @classmethod
    def _of(
        cls, rt: Runtime, connection: Connection, statement: Any, parameters: dict[str, Any]
    ) -> WorkingSet:
        found = map(contact_from, read_all(connection, statement, parameters))
        return cls(rt, connection, set(), {contact.email: contact for contact in found}, {})

    def read_enrollments(self, of: Collection[ContactRow]) -> None:
        """The enrollments of these contacts of the set, in one read, and their journeys."""
        by_id = {contact.id: contact.email for contact in of}
        held: dict[str, list[EnrollmentRow]] = {email: [] for email in by_id.values()}
        if by_id:
            rows = read_all(self.connection, enrollments.OF_CONTACTS, {"contact_ids": list(by_id)})
            for row in sorted(rows, key=itemgetter(0)):  # by id
                held[by_id[row[1]]].append(enrollment_from(row))
        self.enrollments.update(held)
        self.rt.load_journeys(
            self.connection, {e.version_id for rows in held.values() for e in rows}
        )

    def read_books(self, of: Collection[ContactRow]) -> None:
        """The score books of these contacts of the set (stored ones), in one read."""
        books = load_books(self.connection, of, self.rt.workspace.scoring)
        self.books.update({contact.email: books[contact.id] for contact in of if contact.id})

    def next_chunk(
        self, connection: Connection, emails: Collection[str], source_ids: Collection[str]
    ) -> WorkingSet:
        """This working set, carried on to the next chunk of events of the same stream, nobody
        having written to the store since this chunk's commit (the caller makes sure): what it
        holds is what a read would find, so only the emails it does not hold yet are read."""
        fresh = WorkingSet.read(
            self.rt,
            connection,
            [email for email in emails if email not in self.contacts],
            source_ids,
        )
        self.connection = connection
        self.known = fresh.known
        self.contacts.update(fresh.contacts)
        self.enrollments.update(fresh.enrollments)
        self.books.update(fresh.books)
        self.suppressions.update(fresh.suppressions)
        self._versions = None
        self._last_owners = {}
        self._assigned = []
        return self

    def journey(self, enrollment: EnrollmentRow) -> Journey:
        return self.rt.journey_of_version(self.connection, enrollment.version_id)

    def current_version(self, journey_id: str) -> int:
        """The id of the journey's published version (read once for the chunk)."""
        if self._versions is None:
            self._versions = {
                row[0]: row[1] for row in self.connection.execute(journeys.CURRENT_VERSIONS)
            }
        return self._versions[journey_id]

    def last_owner(self, emails: list[str]) -> str | None:
        """Which of these reps took the latest handoff: this chunk's own first, then the store's."""
        pool = set(emails)
        for owner in reversed(self._assigned):
            if owner in pool:
                return owner
        key = tuple(emails)
        if key not in self._last_owners:
            self._last_owners[key] = self.connection.scalars(
                LAST_OWNER_AMONG, {"emails": emails}
            ).first()
        return self._last_owners[key]

    def profile(self, contact: ContactRow) -> Profile:
        found = self.profiles.get(contact.email)
        if found is None:
            found = self.profiles[contact.email] = profile_of(contact)
        return found

    def assigned(self, owner: str) -> None:
        self._assigned.append(owner)

    def facts(
        self, changes: Changes, contact: ContactRow, enrollment: EnrollmentRow | None = None
    ) -> StoredFacts:
        return StoredFacts(
            self.connection, contact.id, enrollment, changes.pending_events.get(contact.email, ())
        )
