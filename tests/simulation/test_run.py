"""A scenario through the example workspace: the timeline a marketer previews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nurture.simulation.render import as_html, as_json_lines, as_text
from nurture.simulation.run import Simulation, simulate
from nurture.simulation.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ana() -> Simulation:
    scenario = load_scenario(ROOT / "example" / "scenarios" / "ana.yaml")
    return simulate(scenario, ROOT / "example", ROOT / "example" / "templates", charts=True)


def _kinds(simulation: Simulation, email: str) -> list[tuple[str, str]]:
    def what(data: dict) -> str:
        return str(
            data.get("step")
            or data.get("to")
            or data.get("rule")
            or data.get("journey")
            or data.get("reason")
            or data.get("owner")
        )

    return [(e.kind, what(e.data)) for e in simulation.entries if e.email == email]


def test_ana_is_welcomed_nurtured_and_handed_off_on_the_pricing_visit(ana: Simulation) -> None:
    assert _kinds(ana, "ana@acme.com") == [
        ("score", "c-level"),
        ("score", "mid-market"),
        ("stage", "lead"),
        ("enrolled", "welcome"),
        ("sent", "welcome"),
        ("sent", "getting-started"),
        ("score", "ebook-download"),
        ("enrolled", "ebook-follow-up"),
        ("sent", "related-content"),
        ("score", "pricing-visit"),
        ("stage", "mql"),
        ("handoff", "maja.novak@acme.example"),
        ("exited", "welcome"),
        ("exited", "ebook-follow-up"),
        # Nobody in sales accepts her: each breach of the SLA hands her to the next rep,
        # and when every rep has had her, the manager is told.
        ("reassigned", "luka.horvat@acme.example"),
        ("reassigned", "ana.kovac@acme.example"),
        ("escalated", "petra.zupan@acme.example"),
    ]


def test_sam_unsubscribes_after_the_journey_and_stays_a_poor_fit_lead(ana: Simulation) -> None:
    assert ana.stages == {"ana@acme.com": "mql", "sam@gmail.com": "lead"}
    suppressed = [e for e in ana.entries if e.kind == "suppressed"]
    assert [(e.email, e.data["reason"]) for e in suppressed] == [("sam@gmail.com", "unsubscribed")]


def test_json_lines_are_in_time_order_with_the_documented_keys(ana: Simulation) -> None:
    lines = [json.loads(line) for line in as_json_lines(ana).splitlines()]
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
    required = {
        "enrolled": {"journey"},
        "sent": {"journey", "step", "template", "subject"},
        "score": {"points", "rule", "score_kind", "score"},
        "stage": {"from", "to", "cause"},
        "handoff": {"owner", "sla_due"},
        "reassigned": {"from", "to", "breached_due", "sla_due"},
        "escalated": {"to", "why", "breached_due"},
        "exited": {"journey", "reason"},
        "suppressed": {"reason"},
    }
    for line in lines:
        assert {"at", "email", "kind"} <= line.keys()
        assert required[line["kind"]] <= line.keys(), line
    sent = [line for line in lines if line["kind"] == "sent"]
    assert sent[0] == {
        "at": "2026-03-02T09:00:00Z",
        "email": "ana@acme.com",
        "kind": "sent",
        "journey": "welcome",
        "step": "welcome",
        "template": "welcome",
        "subject": "Welcome to Acme, Ana",
    }


def test_text_shows_times_in_each_contacts_zone(ana: Simulation) -> None:
    text = as_text(ana)
    assert "ana@acme.com (Europe/Ljubljana)" in text
    assert '2026-03-02 10:00 CET  sent       welcome/welcome  "Welcome to Acme, Ana"' in text
    assert "2026-03-08 12:00 EDT  score      +10 pricing-visit (behaviour) -> -30" in text


def test_the_same_scenario_gives_the_same_output_byte_for_byte(ana: Simulation) -> None:
    again = simulate(ana.scenario, ROOT / "example", ROOT / "example" / "templates", charts=True)
    assert as_json_lines(again) == as_json_lines(ana)
    assert as_text(again) == as_text(ana)
    assert as_html(again) == as_html(ana)


def test_the_html_page_draws_a_mark_per_timeline_entry(ana: Simulation) -> None:
    page = as_html(ana)
    assert page.count('<circle class="mark ') == len(ana.entries)
    assert page.count('<circle class="mark sent"') == 6
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
