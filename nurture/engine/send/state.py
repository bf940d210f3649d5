"""What a send round reads, once for all its enrollments, as plain records."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from nurture.domain.contacts import Profile
from nurture.domain.journeys import Journey
from nurture.engine.intake.records import EnrollmentRow, enrollment_from
from nurture.engine.runtime import Runtime
from nurture.engine.scoring import profile_of
from nurture.engine.send_history import SendHistory
from nurture.engine.send_rules import cap_window_start
from nurture.store import models
from nurture.store.converted import read_all
from nurture.store.statements import enrollments, messages

Message = dict[str, Any]
"""A message row: read (``id``, ``uid``, ``status``, ``subject``, ``error``) or new (every column)."""


_ENROLLMENT_WIDTH = len(models.Enrollment.__table__.columns)
_MESSAGE_COLUMNS = tuple(messages.OF_ENROLLMENTS.selected_columns.keys())


@dataclass(slots=True, eq=False)
class RoundContact:
    """A round's contact: the columns of ``enrollments.ROUND_CONTACT_COLUMNS``, in their order
    (a round uses none of a contact's times: seven datetimes fewer to parse per row)."""

    id: int
    email: str
    first_name: str | None
    last_name: str | None
    job_title: str | None
    company: str | None
    company_size: int | None
    industry: str | None
    country: str | None
    timezone: str | None
    source: str | None
    attributes: dict[str, Any]
    stage: str
    score: int
    band: str
    grade: str
    owner: str | None


@dataclass
class RoundState:
    """The round's enrollments (by id) and contacts (by id), read at once; the send rules'
    history and the enrollments' messages by idempotency key, read when the first enrollment
    reaches an outward step (a round that only moves enrollments on to a wait reads neither).
    Decisions are applied here at once, so the next enrollment of the round sees them."""

    rt: Runtime
    connection: Connection
    now: datetime
    enrollments: dict[int, EnrollmentRow]
    contacts: dict[int, RoundContact]
    profiles: dict[int, Profile] = field(default_factory=dict)
    _history: SendHistory | None = None
    _messages: dict[str, Message] | None = None
    _splits: set[tuple[int, str]] | None = None

    @classmethod
    def read(
        cls,
        rt: Runtime,
        connection: Connection,
        enrollment_ids: Collection[int],
        held: Collection[int],
        now: datetime,
    ) -> RoundState:
        """The active ones of ``enrollment_ids`` whose contact is in ``held``."""
        found: dict[int, EnrollmentRow] = {}
        contacts: dict[int, RoundContact] = {}
        width = _ENROLLMENT_WIDTH
        rows = read_all(
            connection, enrollments.ACTIVE_WITH_CONTACTS, {"enrollment_ids": list(enrollment_ids)}
        )
        for row in rows:
            enrollment = enrollment_from(row[:width])
            if enrollment.contact_id in held:
                found[enrollment.id] = enrollment  # type: ignore[index]
                if enrollment.contact_id not in contacts:
                    contacts[enrollment.contact_id] = RoundContact(*row[width:])  # type: ignore[index]
        state = cls(rt, connection, now, found, contacts)
        state.rt.load_journeys(state.connection, {e.version_id for e in found.values()})
        return state

    @property
    def history(self) -> SendHistory:
        """What the send rules read of the round's contacts (suppressions, bounces, the cap's
        sends): for all of them at the first send step."""
        if self._history is None:
            since = cap_window_start(self.rt, self.now)
            self._history = SendHistory(self.connection, self.contacts.values(), since)
        return self._history

    @property
    def messages(self) -> dict[str, Message]:
        """The round's enrollments' messages by idempotency key (with those it makes)."""
        if self._messages is None:
            rows = read_all(
                self.connection, messages.OF_ENROLLMENTS, {"enrollment_ids": list(self.enrollments)}
            )
            self._messages = {row[0]: dict(zip(_MESSAGE_COLUMNS, row, strict=True)) for row in rows}
        return self._messages

    def journey(self, enrollment: EnrollmentRow) -> Journey:
        return self.rt.journey_of_version(self.connection, enrollment.version_id)

    def contact_of(self, enrollment: EnrollmentRow) -> RoundContact:
        assert type(enrollment.contact_id) is int
        return self.contacts[enrollment.contact_id]

    def profile(self, contact: RoundContact) -> Profile:
        assert contact.id is not None
        found = self.profiles.get(contact.id)
        if found is None:
            found = self.profiles[contact.id] = profile_of(contact)
        return found

    def split_taken(self, enrollment_id: int, step_id: str) -> bool:
        """Whether the enrollment has a variant at this split (read on the round's first split);
        ``True`` from now on either way: the first assignment stands."""
        if self._splits is None:
            self._splits = {
                (enrollment_id, step_id)
                for enrollment_id, step_id in self.connection.execute(
                    enrollments.SPLITS_OF_IDS, {"enrollment_ids": list(self.enrollments)}
                )
            }
        key = (enrollment_id, step_id)
        taken = key in self._splits
        self._splits.add(key)
        return taken
