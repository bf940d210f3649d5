"""Scenario files: relative times, the public formats, and errors that point at the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.errors import DefinitionError
from nurture.simulation.scenario import SalesAction, StepEvent, load_scenario

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


SAYS_EVERYTHING = """\
start: 2026-03-02T08:00:00Z
days: 10
events:
  - {at: "day 0 09:00", email: ana@acme.com, type: subscribed}
  - {at: "day 1 10:00", email: ana@acme.com, type: email_clicked, step: welcome/welcome, properties: {url: /x}}
  - {at: "day 2 09:00", email: ana@acme.com, action: accept, by: maja@acme.example}
  - {at: "day 3 09:00", email: ana@acme.com, action: reject, reason: no budget}
  - {at: "day 4 09:00", email: ana@acme.com, action: qualify, bant: {budget: 1k, authority: CMO, need: data, timeline: Q2}}
expect:
  - {email: ana@acme.com, by: "day 2", sent: [welcome/welcome], stage: mql}
  - {email: ana@acme.com, by: "day 2 10:30", not_sent: [welcome/case-study], score: 3}
  - {email: ana@acme.com, stage: lead}
"""


def test_sales_actions_step_events_and_expectations_are_read(tmp_path) -> None:
    scenario = load_scenario(_write(tmp_path, SAYS_EVERYTHING))
    click, accept, reject, qualify = scenario.events[1:]
    assert isinstance(click, StepEvent)
    assert (click.journey, click.step, click.event.type) == ("welcome", "welcome", "email_clicked")
    assert click.event.properties == {"url": "/x"} and click.where.endswith("scenario.yaml:5")
    assert isinstance(accept, SalesAction) and accept.by == "maja@acme.example"
    assert accept.at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert isinstance(reject, SalesAction) and reject.reason == "no budget"
    assert isinstance(qualify, SalesAction) and qualify.bant == {
        "budget": "1k",
        "authority": "CMO",
        "need": "data",
        "timeline": "Q2",
    }
    by_day, by_time, at_end = scenario.expect
    # "day 2" is the whole of that day; "day 2 10:30" a moment; no `by`, the end.
    assert by_day.by == datetime(2026, 3, 4, 23, 59, 59, 999999, tzinfo=UTC)
    assert (by_day.sent, by_day.stage, by_day.label) == (("welcome/welcome",), "mql", "day 2")
    assert by_time.by == datetime(2026, 3, 4, 10, 30, tzinfo=UTC) and by_time.score == 3
    assert (at_end.by, at_end.label) == (scenario.end, "the end")


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            "action: reject, reason: no budget",
            "action: reject",
            "7:5: events.3: a reject needs a `reason`",
        ),
        (
            "action: qualify, bant: {budget: 1k, authority: CMO, need: data, timeline: Q2}",
            "action: qualify",
            "8:5: events.4: a qualify needs `bant: {budget: ..., authority: ..., need: ..., timeline: ...}`",
        ),
        ("need: data, ", "", "8:69: 'events.4.bant.need' is required: add it"),
        (
            "action: accept",
            "action: welcome",
            "6:54: events.2.action: Input should be 'accept', 'reject' or 'qualify'",
        ),
        ("step: welcome/welcome", "step: welcome", "5:73: events.1.step: String should match"),
        ('"day 2 09:00"', '"day 2"', "6:10: 'day 2': give a time of day too, e.g. 'day 2 09:00'"),
        (
            "{email: ana@acme.com, stage: lead}",
            "{email: ana@acme.com}",
            "12:5: expect.2: say what you expect: `sent`, `not_sent`, `stage` or `score`",
        ),
        ("stage: lead}", "stage: hot}", "12:34: expect.2.stage: Input should be"),
        (
            "sent: [welcome/welcome]",
            "sent: [welcome]",
            "10:5: expect.0: 'welcome': name an email as",
        ),
        ('by: "day 2 10:30"', 'by: "soon"', "11:31: expect.1.by: Input should be a valid datetime"),
    ],
)
def test_what_sales_does_and_what_is_expected_is_checked_at_the_line(
    tmp_path, replace: str, by: str, expected: str
) -> None:
    assert replace in SAYS_EVERYTHING
    path = _write(tmp_path, SAYS_EVERYTHING.replace(replace, by))
    with pytest.raises(DefinitionError) as caught:
        load_scenario(path)
    assert caught.value.problems[0].startswith(f"{path}:{expected}")
