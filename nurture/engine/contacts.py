"""Create and update contacts; each change re-scores fit and lets journeys react.

Contacts come in through intake's set-based shape (engine/intake/), a chunk per transaction,
each one decided by engine/intake/core.upsert; :func:`import_contact` is a chunk of one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nurture.domain.contacts import PROFILE_FIELDS
from nurture.engine.intake import core
from nurture.engine.intake.changes import Changes, write_transaction
from nurture.engine.intake.collector import collector_held
from nurture.engine.intake.records import CONTACT_STATE
from nurture.engine.intake.state import WorkingSet
from nurture.engine.runtime import Runtime
from nurture.formats import ContactIn
from nurture.store import models
from nurture.store.statements import contacts as statements

CHUNK = 500


def find_contact(session: Session, email: str) -> models.Contact | None:
    return session.scalars(statements.OF_EMAIL, {"email": email}).first()


def import_contact(rt: Runtime, data: ContactIn) -> None:
    _import_chunk(rt, [data])


def import_contacts(
    rt: Runtime, contacts: Iterable[ContactIn], chunk: int = CHUNK
) -> Iterator[ContactIn]:
    """Import contacts in order, ``chunk`` per transaction; yield each one once it is stored.

    A chunk that a concurrent writer beats to a new address is done again one by one.
    """
    iterator = iter(contacts)
    while part := list(islice(iterator, chunk)):
        try:
            _import_chunk(rt, part)
        except IntegrityError:
            for data in part:
                import_contact(rt, data)
        yield from part


def _import_chunk(rt: Runtime, contacts: Sequence[ContactIn]) -> None:
    now = rt.clock.now()
    with collector_held(), write_transaction(rt) as connection:
        ws = WorkingSet.read(rt, connection, {data.email for data in contacts}, for_events=False)
        changes = Changes(connection, (*PROFILE_FIELDS[1:], "attributes", *CONTACT_STATE))
        for data in contacts:
            core.upsert(rt, ws, changes, data, now)
        changes.flush()
