"""Who gets a new MQL: a route by territory or segment picks the pool, round-robin picks the rep.

Unavailable reps are skipped; a pool with nobody available falls back to the whole team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nurture.domain.contacts import Profile


@dataclass(frozen=True)
class Rep:
    email: str
    available: bool = True


@dataclass(frozen=True)
class Route:
    """Contacts whose ``field`` is one of ``values`` go to ``reps``."""

    field: str
    values: frozenset[str]
    reps: Sequence[str]

    def matches(self, profile: Profile) -> bool:
        value = profile.value(self.field)
        return value is not None and str(value).lower() in self.values


def pool_for(profile: Profile, team: Sequence[Rep], routes: Sequence[Route]) -> list[Rep]:
    """The reps who may take this contact, in their round-robin order (first route that matches)."""
    by_email = {rep.email: rep for rep in team}
    for route in routes:
        if route.matches(profile):
            pool = [by_email[email] for email in route.reps if email in by_email]
            if any(rep.available for rep in pool):
                return pool
    return list(team)


def next_rep(pool: Sequence[Rep], last: str | None, skip: Sequence[str] = ()) -> str | None:
    """The first available rep after ``last`` in ``pool`` order (wrapping), not in ``skip``."""
    emails = [rep.email for rep in pool]
    start = emails.index(last) + 1 if last in emails else 0
    for offset in range(len(pool)):
        rep = pool[(start + offset) % len(pool)]
        if rep.available and rep.email not in skip:
            return rep.email
    return None
