"""Owner assignment: routes by territory or segment, round-robin, unavailable reps skipped."""

from __future__ import annotations

from nurture.domain.assignment import Rep, Route, next_rep, pool_for
from nurture.domain.contacts import Profile

TEAM = (Rep("maja"), Rep("luka"), Rep("ana", available=False), Rep("eva"))
ROUTES = (Route("country", frozenset({"at", "de"}), ("luka", "eva")),)


def test_round_robin_continues_after_the_last_owner_and_skips_the_unavailable() -> None:
    assert next_rep(TEAM, None) == "maja"
    assert next_rep(TEAM, "maja") == "luka"
    assert next_rep(TEAM, "luka") == "eva"  # ana is on leave
    assert next_rep(TEAM, "eva") == "maja"


def test_skip_excludes_reps_who_already_had_it() -> None:
    assert next_rep(TEAM, "maja", skip=["maja", "luka"]) == "eva"
    assert next_rep(TEAM, "maja", skip=["maja", "luka", "eva"]) is None


def test_a_route_picks_the_pool_by_territory() -> None:
    pool = pool_for(Profile("x@y.de", country="DE"), TEAM, ROUTES)
    assert [rep.email for rep in pool] == ["luka", "eva"]
    assert pool_for(Profile("x@y.si", country="SI"), TEAM, ROUTES) == list(TEAM)


def test_a_route_with_nobody_available_falls_back_to_the_team() -> None:
    routes = (Route("industry", frozenset({"finance"}), ("ana",)),)
    assert pool_for(Profile("x@y.com", industry="Finance"), TEAM, routes) == list(TEAM)
