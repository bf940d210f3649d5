"""The behaviour side of a contact's ledger, and the rules that extend it.

Live scoring and ``nurture scores recompute`` both go through :class:`ScoreBook`: live, the
book is loaded from the stored rows; in a replay it is built from the events alone. Because
caps, decay and inactivity are computed from the rows and from time only, the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nurture.domain.durations import later
from nurture.domain.events import Event
from nurture.domain.scoring import ScoringModel

NON_FIT = ("behaviour", "decay", "inactivity")
DAY = timedelta(days=1)
"""How often a half-life decay is brought up to date: its value changes continuously."""


@dataclass(frozen=True)
class Row:
    """A ledger row: ``kind`` is behaviour, decay, inactivity, fit or reset."""

    rule: str
    kind: str
    points: int
    reason: str
    at: datetime
    event: Any = None


@dataclass
class ScoreBook:
    """Non-fit rows since the last reset, the last activity, and how far time was applied."""

    model: ScoringModel
    rows: list[Row] = field(default_factory=list)
    last_activity: datetime | None = None
    scored_until: datetime | None = None

    @property
    def points(self) -> int:
        return sum(row.points for row in self.rows)

    def catch_up(self, until: datetime) -> list[Row]:
        """Inactivity periods completed up to ``until`` (decay applied before each), then decay."""
        added: list[Row] = []
        inactivity = self.model.inactivity
        if inactivity is not None and self.last_activity is not None:
            for moment in inactivity.due(self.last_activity, self.scored_until, until):
                added += self._decay(moment)
                taken = max(inactivity.points, -self.points) if self.points > 0 else 0
                if taken < 0:
                    silent = (moment - self.last_activity).days
                    added += self._add(
                        Row(
                            "inactivity",
                            "inactivity",
                            taken,
                            f"no activity for {silent} days",
                            moment,
                        )
                    )
        if self.scored_until is None or until > self.scored_until:
            added += self._decay(until)
            self.scored_until = until
        return added

    def next_due(self) -> datetime | None:
        """The next moment time alone changes these points (inactivity, or a decay step).

        A moment beyond what a datetime can hold is never: it is left out.
        """
        moments: list[datetime | None] = []
        inactivity = self.model.inactivity
        if inactivity is not None and self.last_activity is not None and self.points > 0:
            periods = 1
            if self.scored_until is not None and self.scored_until >= self.last_activity:
                periods = (self.scored_until - self.last_activity) // inactivity.after + 1
            moments.append(later(self.last_activity, inactivity.after, periods))
        for rule in self.model.decaying:
            decay = rule.decay
            if decay is None or self.scored_until is None:
                continue
            for row in self.rows:
                if row.kind != "behaviour" or row.rule != rule.id or row.points <= 0:
                    continue
                if decay.value(row.points, self.scored_until - row.at) <= 0:
                    continue
                if decay.every is not None:
                    steps = (self.scored_until - row.at) // decay.every + 1
                    moments.append(later(row.at, decay.every, steps))
                else:
                    moments.append(later(self.scored_until, DAY))
        due = [moment for moment in moments if moment is not None]
        return min(due) if due else None

    def on_event(self, event: Event, key: Any = None) -> list[Row]:
        """Catch up to the event's time, then award what its rules give (within their caps)."""
        added = self.catch_up(event.occurred_at)
        matched = False
        for rule in self.model.rules_for(event.type):
            if not rule.matches(event):
                continue
            matched = matched or rule.points > 0
            given = [r.at for r in self.rows if r.kind == "behaviour" and r.rule == rule.id]
            if rule.points == 0 or not rule.allows(given, event.occurred_at):
                continue
            added += self._add(
                Row(rule.id, "behaviour", rule.points, rule.explain(event), event.occurred_at, key)
            )
        if matched and (self.last_activity is None or event.occurred_at > self.last_activity):
            self.last_activity = event.occurred_at
        return added

    def reset(self, at: datetime, reason: str) -> list[Row]:
        """Start afresh (a recycled contact earns its way back): one row cancels the rest."""
        added = self.catch_up(at)
        row = Row("reset", "reset", -self.points, reason, at)
        self.rows = []
        return [*added, row] if row.points else added

    def _decay(self, at: datetime) -> list[Row]:
        added: list[Row] = []
        for rule in self.model.decaying:
            if rule.decay is None:
                continue
            awards = [r for r in self.rows if r.kind == "behaviour" and r.rule == rule.id]
            target = sum(rule.decay.value(r.points, at - r.at) for r in awards)
            have = sum(r.points for r in self.rows if r.rule == rule.id and r.kind != "inactivity")
            if target != have:
                added += self._add(Row(rule.id, "decay", target - have, "decay with age", at))
        return added

    def _add(self, row: Row) -> list[Row]:
        self.rows.append(row)
        return [row]


def replay(
    model: ScoringModel,
    events: Iterable[tuple[Any, Event]],
    resets: Iterable[tuple[datetime, str]],
    until: datetime,
) -> tuple[list[Row], ScoreBook]:
    """The non-fit rows live scoring writes for these events, resets and time, from scratch.

    Events must be given in the order they happened; a late event (older than time already
    applied) is scored live at its own time but decays only from then on.
    """
    book = ScoreBook(model)
    timeline: list[tuple[datetime, int, Any]] = [
        (event.occurred_at, 1, (key, event)) for key, event in events
    ]
    timeline += [(at, 0, reason) for at, reason in resets]
    timeline.sort(key=lambda item: (item[0], item[1]))
    rows: list[Row] = []
    for _at, kind, item in timeline:
        if kind == 0:
            rows += book.reset(_at, item)
        else:
            key, event = item
            rows += book.on_event(event, key)
    rows += book.catch_up(until)
    return rows, book
