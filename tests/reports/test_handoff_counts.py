"""Handoffs, reassignments, escalations, SLA breaches and branch decisions, each counted once.

Ana becomes an MQL on a Monday; nobody in sales answers, so each breach of the 8-hour SLA
hands her to the next rep and the last one tells the manager: three breaches of one
handoff. Then the last rep accepts her, late.
"""

from __future__ import annotations

from datetime import timedelta

from nurture.engine import feedback
from nurture.reports.build import build_report
from nurture.reports.export import report_json
from nurture.reports.scope import Scope
from nurture.testing import Harness

ANA = "ana@acme.com"


def test_three_breaches_of_one_handoff_count_three(nurture: Harness) -> None:
    nurture.contact(ANA, job_title="CMO", company_size=250)
    nurture.emit(ANA, "subscribed")
    nurture.emit(ANA, "demo_requested")
    nurture.advance(days=4)
    kinds = [e.kind for e in nurture.timeline(ANA)]
    assert (kinds.count("handoff"), kinds.count("reassigned"), kinds.count("escalated")) == (
        1,
        2,
        1,
    )
    feedback.accept(nurture.runtime, ANA)

    report = build_report(nurture.runtime.engine, Scope("sqlite", nurture.now()))
    [totals] = report.handoffs
    assert (totals.handoffs, totals.contacts) == (1, 1)
    assert (totals.reassignments, totals.escalations, totals.breaches) == (2, 1, 3)
    rows = {r.owner: r.counts for r in report.sla}
    maja, luka, ana = (
        rows["maja.novak@acme.example"],
        rows["luka.horvat@acme.example"],
        rows["ana.kovac@acme.example"],
    )
    assert (maja["handed_off"], maja["breaches"], maja["reassigned_away"]) == (1, 1, 1)
    assert (luka["reassigned_to"], luka["breaches"], luka["reassigned_away"]) == (1, 1, 1)
    # The last rep let it lapse too (the manager was told), then accepted it late.
    assert (ana["reassigned_to"], ana["escalated"], ana["breaches"], ana["late"]) == (1, 1, 1, 1)
    assert sum(r.counts["in_time"] + r.counts["open"] for r in report.sla) == 0
    assert [r.compliance for r in report.sla] == [0.0, 0.0, 0.0]

    data = report_json(report)
    assert data["handoffs"] == [
        {
            "cohort": "all",
            "handoffs": 1,
            "contacts": 1,
            "reassignments": 2,
            "escalations": 1,
            "breaches": 3,
        }
    ]
    assert sum(row["breaches"] for row in data["sla"]) == 3


def test_an_unanswered_handoff_past_its_due_time_is_a_breach_before_the_sweep_runs(
    nurture: Harness,
) -> None:
    nurture.contact(ANA, job_title="CMO", company_size=250)
    nurture.emit(ANA, "subscribed")
    nurture.emit(ANA, "demo_requested")
    due = nurture.timeline(ANA)[-1].at + timedelta(days=3)
    before = build_report(nurture.runtime.engine, Scope("sqlite", nurture.now()))
    assert [r.counts["open"] for r in before.sla] == [1]
    later = build_report(nurture.runtime.engine, Scope("sqlite", due))
    assert [(r.counts["open"], r.counts["breaches"]) for r in later.sla] == [(0, 1)]


def test_the_report_counts_which_way_each_branch_went(nurture: Harness) -> None:
    """Two pricing visits put Cleo on the hot-lead track; she never clicks the call offer."""
    nurture.contact("cleo@cove.example", job_title="Marketing Manager", company_size=30)
    nurture.emit("cleo@cove.example", "subscribed")
    nurture.advance(days=1)
    nurture.emit("cleo@cove.example", "page_viewed", url="/pricing")
    nurture.advance(days=1)
    nurture.emit("cleo@cove.example", "page_viewed", url="/pricing")
    nurture.advance(days=3)
    report = build_report(nurture.runtime.engine, Scope("sqlite", nurture.now()))
    assert [(b.journey, b.step, b.condition, b.target, b.decisions) for b in report.branches] == [
        (
            "hot-lead",
            "wait-click",
            "timed out: no email_clicked of step pricing-help",
            "reminder",
            1,
        )
    ]
    assert report_json(report)["branches"][0]["contacts"] == 1
