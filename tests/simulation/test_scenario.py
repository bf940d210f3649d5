"""Scenario files: relative times, the public formats, and errors that point at the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.errors import DefinitionError
from nurture.simulation.scenario import load_scenario

GOOD = """\
start: 2026-03-02T08:00:00Z
days: 30
contacts:
  - {email: Ana@Acme.com, job_title: CMO, timezone: Europe/Ljubljana}
events:
  - {at: "day 3 10:00", email: ana@acme.com, type: page_viewed, properties: {url: /pricing}}
  - {at: "day 0 09:00", email: ana@acme.com, type: subscribed}
  - {at: "2026-03-10T12:00:00+01:00", email: ana@acme.com, type: demo_requested}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_day_times_count_from_the_start_date_in_utc_and_events_are_ordered(tmp_path) -> None:
    scenario = load_scenario(_write(tmp_path, GOOD))
    assert scenario.start == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert scenario.end == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    assert [c.email for c in scenario.contacts] == ["ana@acme.com"]
    assert [(e.type, e.at) for e in scenario.events] == [
        ("subscribed", datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
        ("page_viewed", datetime(2026, 3, 5, 10, 0, tzinfo=UTC)),
        ("demo_requested", datetime(2026, 3, 10, 11, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("days: 30", "days: -1", "2:7: days: Input should be greater than 0"),
        (
            "job_title: CMO",
            "job_titel: CMO",
            "4:27: unknown key 'job_titel': remove it or check its spelling",
        ),
        ('"day 0 09:00"', '"day 0 25:00"', "7:10: 'day 0 25:00': no such time of day"),
        (
            '"day 0 09:00"',
            '"2026-03-01T09:00:00Z"',
            "7:10: give each event an `at` between the scenario's start and its end "
            "(2026-03-02T08:00:00+00:00 to 2026-04-01T08:00:00+00:00)",
        ),
        ("type: subscribed", "kind: subscribed", "7:5: 'events.1.type' is required: add it"),
    ],
)
def test_problems_name_file_line_and_column(tmp_path, replace: str, by: str, expected: str) -> None:
    path = _write(tmp_path, GOOD.replace(replace, by))
    with pytest.raises(DefinitionError) as caught:
        load_scenario(path)
    assert caught.value.problems[0] == f"{path}:{expected}"
