"""The read model conditions ask: counts of a contact's events, outcomes of its emails."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from nurture.domain.comparison import matches_where
from nurture.domain.conditions import Outcome
from nurture.store.statements import events, messages

_OUTCOME_EVENTS = {"opened": ("email_opened", "email_clicked"), "clicked": ("email_clicked",)}


class Executor(Protocol):
    """A Session (which flushes its pending objects first) or a Connection."""

    def execute(self, statement: Any, parameters: Any = ..., /) -> Any: ...


class Enrolled(Protocol):
    @property
    def id(self) -> int | None: ...


class StoredFacts:
    """Answers :class:`~nurture.domain.conditions.Facts` from the events and messages tables.

    With an ``enrollment``, ``step`` in a ``where`` and step outcomes refer to the emails this
    enrollment sent (matched on their message ids), not to another journey's. ``pending`` are
    the contact's events that intake holds in its buffers, not yet written: they count as
    stored. A contact or enrollment without an id (not written yet) has nothing stored.
    """

    def __init__(
        self,
        executor: Executor,
        contact_id: int | None,
        enrollment: Enrolled | None = None,
        pending: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.executor = executor
        self.contact_id = contact_id
        self.enrollment = enrollment
        self.pending = pending

    def _events(self, types: tuple[str, ...], since: datetime | None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if self.contact_id is not None:
            parameters: dict[str, Any] = {"contact_id": self.contact_id, "types": list(types)}
            statement = events.OF_TYPES
            if since is not None:
                statement, parameters["since"] = events.OF_TYPES_SINCE, since
            found = [row.properties for row in self.executor.execute(statement, parameters)]
        found += [
            e["properties"]
            for e in self.pending
            if e["type"] in types and (since is None or e["occurred_at"] >= since)
        ]
        return found

    def _uids(self, step: str) -> set[str]:
        if self.enrollment is None or self.enrollment.id is None:
            return set()
        found = self.executor.execute(
            messages.UIDS_OF_STEP, {"enrollment_id": self.enrollment.id, "step": step}
        )
        return {row.uid for row in found}

    def count_events(self, type: str, where: Mapping[str, str], since: datetime | None) -> int:
        rest = {k: v for k, v in where.items() if k != "step" or self.enrollment is None}
        events = [p for p in self._events((type,), since) if matches_where(p, rest)]
        if "step" in where and self.enrollment is not None:
            uids = self._uids(where["step"])
            events = [p for p in events if p.get("message_id") in uids]
        return len(events)

    def step_outcome(self, step: str, outcome: Outcome) -> bool:
        uids = self._uids(step)
        if outcome == "sent":
            return (
                bool(uids)
                and self.executor.execute(messages.SENT_AMONG, {"uids": list(uids)}).first()
                is not None
            )
        return any(
            p.get("message_id") in uids for p in self._events(_OUTCOME_EVENTS[outcome], None)
        )
