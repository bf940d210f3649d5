"""Scenarios that say everything: sales answers, clicks on a named email, expectations.

The shipped scenario scenarios/sales-and-clicks.yaml is the story; its timeline shows every
decision the engine made, and `expect` turns it into a test a marketer runs without Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture.errors import DefinitionError
from nurture.simulation.expectations import check, report
from nurture.simulation.run import Simulation, simulate
from nurture.simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _run(path: Path) -> Simulation:
    return simulate(load_scenario(path), ROOT / "example")


@pytest.fixture(scope="module")
def story() -> Simulation:
    return _run(ROOT / "example" / "scenarios" / "sales-and-clicks.yaml")


def _rows(simulation: Simulation, email: str, kind: str) -> list[dict]:
    return [e.data for e in simulation.entries if e.email == email and e.kind == kind]


def test_every_expectation_of_the_shipped_scenario_holds(story: Simulation) -> None:
    verdicts = check(story)
    assert len(verdicts) == 8 and all(v.passed for v in verdicts), report(story, verdicts)
    assert story.problems == []


def test_a_click_on_a_named_email_is_that_contacts_message_and_the_branch_says_so(
    story: Simulation,
) -> None:
    assert _rows(story, "bo@bolt.example", "branch") == [
        {
            "journey": "hot-lead",
            "step": "wait-click",
            "condition": "email_clicked of step pricing-help",
            "target": "clicked",
        }
    ]
    assert _rows(story, "cleo@cove.example", "branch") == [
        {
            "journey": "hot-lead",
            "step": "wait-click",
            "condition": "timed out: no email_clicked of step pricing-help",
            "target": "reminder",
        }
    ]


def test_sales_answers_move_the_stage_with_their_cause(story: Simulation) -> None:
    sales = _rows(story, "ana@acme.com", "sales")
    assert [(s["action"], s["by"]) for s in sales] == [
        ("accept", "luka.horvat@acme.example"),
        ("qualify", "luka.horvat@acme.example"),
    ]
    assert sales[1]["bant"]["budget"] == "20k EUR approved"
    stages = _rows(story, "ana@acme.com", "stage")
    assert [(s["to"], s["cause"]) for s in stages][-2:] == [
        ("sal", "accepted by luka.horvat@acme.example"),
        (
            "sql",
            "qualified by luka.horvat@acme.example (BANT: budget 20k EUR approved; authority "
            "CMO signs; need weekly board reporting; timeline this quarter)",
        ),
    ]
    [rejected] = _rows(story, "dan@delta.example", "sales")
    assert (rejected["action"], rejected["reason"]) == ("reject", "no budget this year")


def test_a_recycled_contact_shows_its_variant_and_the_branch_it_took(story: Simulation) -> None:
    assert _rows(story, "dan@delta.example", "split") == [
        {"journey": "re-nurture", "step": "subject-test", "variant": "question"}
    ]
    [branch] = _rows(story, "dan@delta.example", "branch")
    assert branch["condition"] == "{event: {type: email_clicked, within: 14d}}"
    assert branch["target"] == "case-study"
    kinds = {row["score_kind"] for row in _rows(story, "dan@delta.example", "score")}
    assert kinds == {"fit", "behaviour", "reset"}


def test_a_failed_expectation_reads_as_a_diff(tmp_path: Path) -> None:
    text = (ROOT / "example" / "scenarios" / "sales-and-clicks.yaml").read_text()
    wrong = text.replace(
        '{email: ana@acme.com, by: "day 5", stage: sql}',
        '{email: ana@acme.com, by: "day 3 12:00", stage: sal, score: 50, '
        "sent: [welcome/case-study], not_sent: [welcome/welcome]}",
    )
    path = tmp_path / "wrong.yaml"
    path.write_text(wrong)
    simulation = _run(path)
    failed = [v for v in check(simulation) if not v.passed]
    assert [v.differences for v in failed] == [
        [
            "sent: expected welcome/case-study; sent by then: welcome/welcome, "
            "welcome/getting-started",
            "not_sent: welcome/welcome was sent at 2026-03-02 09:00 UTC",
            "stage: expected sal, was mql",
            "score: expected 50, was 45",
        ]
    ]
    lines = report(simulation, check(simulation)).splitlines()
    assert f"FAIL  {path}:37: ana@acme.com by day 3 12:00 (2026-03-05 12:00 UTC)" in lines
    assert lines[-1] == "8 expectations: 7 passed, 1 failed"


def test_what_cannot_be_played_is_a_problem_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "early.yaml"
    path.write_text(
        "start: 2026-03-02T08:00:00Z\ndays: 3\nevents:\n"
        '  - {at: "day 0 09:00", email: ana@acme.com, type: subscribed}\n'
        '  - {at: "day 0 08:30", email: ana@acme.com, type: email_opened, step: welcome/welcome}\n'
        '  - {at: "day 1 09:00", email: ana@acme.com, action: accept}\n'
    )
    simulation = _run(path)
    assert simulation.problems == [
        f"{path}:5: ana@acme.com got no email from welcome/welcome before 2026-03-02 08:30 UTC: "
        "the email_opened is left out",
        f"{path}:6: sales could not accept at 2026-03-03 09:00 UTC: "
        "ana@acme.com is lead and no handoff",
    ]
    assert "email_opened" not in {e.data.get("rule") for e in simulation.entries}


def test_a_step_the_workspace_does_not_have_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "start: 2026-03-02T08:00:00Z\ndays: 3\nevents:\n"
        '  - {at: "day 0 09:00", email: ana@acme.com, type: email_clicked, step: welcome/welcom}\n'
        "expect:\n  - {email: ana@acme.com, not_sent: [nowhere/x]}\n"
    )
    with pytest.raises(DefinitionError) as caught:
        _run(path)
    assert caught.value.problems == [
        f"{path}:4: no step welcome/welcom in the workspace: did you mean welcome/welcome?",
        f"{path}:6: no step nowhere/x in the workspace: there is no journey 'nowhere'",
    ]
