"""Visits and moves per journey step, read from the enrollments' paths (for the charts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nurture.reports.scope import Scope
from nurture.reports.steps import END, ENTRY, versions, visits_and_moves


def test_visits_and_moves_follow_each_enrollment(walked: Any) -> None:
    with walked.runtime.engine.connect() as connection:
        visits, moves = visits_and_moves(connection, Scope("sqlite", walked.now()))
    entered = {(v.journey, v.step): v.entered for v in visits}
    moved = {(m.journey, m.source, m.target): m.contacts for m in moves}
    assert entered[("welcome", "welcome")] == 4
    assert moved[("welcome", ENTRY, "welcome")] == 4
    assert moved[("hot-lead", "wait-click", "clicked")] == 1
    assert moved[("hot-lead", "wait-click", "reminder")] == 1
    assert moved[("hot-lead", "reminder", END)] == 1
    assert ("hot-lead", "clicked", END) not in moved  # an end step finishes where it stands


def test_the_range_selects_enrollments_by_when_they_were_enrolled(walked: Any) -> None:
    later = walked.now() - timedelta(days=5)
    with walked.runtime.engine.connect() as connection:
        visits, moves = visits_and_moves(connection, Scope("sqlite", walked.now(), since=later))
    assert visits == [] and moves == []


def test_versions_list_what_was_published(walked: Any) -> None:
    with walked.runtime.engine.connect() as connection:
        found = versions(connection, "hot-lead")
    assert [(v.journey, v.version, v.current) for v in found] == [("hot-lead", 1, True)]
    assert found[0].definition["steps"][0]["id"] == "intent-points"
