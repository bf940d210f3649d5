"""Points that fade: a behaviour rule's decay, and inactivity that takes points off.

Both are absolute functions of time, so catching up late (a sweep that ran a day after the
due moment, or a replay of the whole history) lands on exactly the same score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from nurture.domain.durations import later


@dataclass(frozen=True)
class Decay:
    """How an award of a rule loses value with age: by half-life, or ``amount`` each ``every``."""

    half_life: timedelta | None = None
    amount: int | None = None
    every: timedelta | None = None

    def __post_init__(self) -> None:
        by_half_life = self.half_life is not None
        by_amount = self.amount is not None and self.every is not None
        if by_half_life == by_amount:
            raise ValueError("a decay has either a half_life, or an amount and every")

    def value(self, points: int, age: timedelta) -> int:
        """What an award of ``points`` is worth ``age`` after it was given (never past zero)."""
        if points <= 0 or age <= timedelta():
            return points
        if self.half_life is not None:
            factor: float = 0.5 ** (age / self.half_life)
            return round(points * factor)
        assert self.amount is not None and self.every is not None
        return max(0, points - self.amount * math.floor(age / self.every))


@dataclass(frozen=True)
class Inactivity:
    """``points`` (negative) off after each full ``after`` without activity."""

    after: timedelta
    points: int

    def due(
        self, last_activity: datetime, since: datetime | None, until: datetime
    ) -> list[datetime]:
        """The moments in ``(since, until]`` at which a period of silence completes."""
        moments = []
        periods = 1
        if since is not None and since >= last_activity:
            periods = (since - last_activity) // self.after + 1
        moment = later(last_activity, self.after, periods)
        while moment is not None and moment <= until:
            moments.append(moment)
            moment = later(moment, self.after)
        return moments
