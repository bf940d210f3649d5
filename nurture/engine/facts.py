"""The read model conditions ask: counts of a contact's events, outcomes of its emails."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from nurture.domain.comparison import matches_where
from nurture.domain.conditions import Outcome
from nurture.store import models

_OUTCOME_EVENTS = {"opened": ("email_opened", "email_clicked"), "clicked": ("email_clicked",)}


class StoredFacts:
    """Answers :class:`~nurture.domain.conditions.Facts` from the events table.

    With an ``enrollment``, ``step`` in a ``where`` and step outcomes refer to the emails this
    enrollment sent (matched on their message ids), not to another journey's.
    """

    def __init__(
        self, session: Session, contact_id: int, enrollment: models.Enrollment | None = None
    ) -> None:
        self.session = session
        self.contact_id = contact_id
        self.enrollment = enrollment

    def _events(self, types: tuple[str, ...], since: datetime | None) -> list[models.Event]:
        E = models.Event
        query = select(E).where(E.contact_id == self.contact_id, E.type.in_(types))
        if since is not None:
            query = query.where(E.occurred_at >= since)
        return list(self.session.scalars(query).all())

    def _uids(self, step: str) -> set[str]:
        if self.enrollment is None:
            return set()
        M = models.Message
        return set(
            self.session.scalars(
                select(M.uid).where(M.enrollment_id == self.enrollment.id, M.step_id == step)
            ).all()
        )

    def count_events(self, type: str, where: Mapping[str, str], since: datetime | None) -> int:
        rest = {k: v for k, v in where.items() if k != "step" or self.enrollment is None}
        events = [e for e in self._events((type,), since) if matches_where(e.properties, rest)]
        if "step" in where and self.enrollment is not None:
            uids = self._uids(where["step"])
            events = [e for e in events if e.properties.get("message_id") in uids]
        return len(events)

    def step_outcome(self, step: str, outcome: Outcome) -> bool:
        uids = self._uids(step)
        if outcome == "sent":
            M = models.Message
            return bool(
                self.session.scalar(
                    select(M.id).where(M.uid.in_(uids), M.status == "sent").limit(1)
                )
            )
        return any(
            e.properties.get("message_id") in uids
            for e in self._events(_OUTCOME_EVENTS[outcome], None)
        )
