"""Scoring, MQL and the handoff as stories told on the example workspace (its seeds).

Times are UTC; the office of the example workspace is in Ljubljana (UTC+1 in March), open
Monday to Friday, 9:00 to 17:00. 2026-03-02, where the clock starts, is a Monday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from freezegun import freeze_time
from sqlalchemy import select

from nurture.clock import ManualClock, SystemClock
from nurture.engine import feedback
from nurture.engine.explain import explain
from nurture.store import models
from nurture.testing import Harness, make_harness

CARLA = "carla@northwind.example"


def handoffs(nurture: Harness) -> list[models.Handoff]:
    with nurture.runtime.sessions() as session:
        return list(session.scalars(select(models.Handoff).order_by(models.Handoff.id)))


def handoff_trail(nurture: Harness) -> list[tuple[str, str]]:
    with nurture.runtime.sessions() as session:
        rows = session.scalars(select(models.HandoffEvent).order_by(models.HandoffEvent.id))
        return [(row.kind, row.detail) for row in rows]


def test_the_seed_points_make_an_mql_on_exactly_the_event_that_crosses_the_threshold(
    nurture: Harness,
) -> None:
    # A CEO of a 20-person company: the C-level bonus (15) is her whole fit, grade B.
    nurture.contact(CARLA, first_name="Carla", job_title="CEO", company_size=20)
    assert (nurture.score(CARLA), nurture.summary(CARLA)["grade"]) == (15, "B")

    assert nurture.emit(CARLA, "content_downloaded", content_type="ebook").stages == ("lead",)
    assert nurture.score(CARLA) == 20
    nurture.advance(days=1)
    assert nurture.emit(CARLA, "page_viewed", url="/pricing").stages == ()
    assert (nurture.score(CARLA), nurture.stage(CARLA)) == (30, "lead")

    nurture.advance(days=1)
    crossing = nurture.emit(CARLA, "demo_requested")
    assert (crossing.points, crossing.stages) == (20, ("mql",))
    explained = explain(nurture.runtime, CARLA)
    assert (explained["score"], explained["band"], explained["stage"]) == (50, "hot", "mql")
    assert explained["action"] == "sales now"
    assert [(r["rule"], r["points"]) for r in explained["ledger"]] == [
        ("c-level", 15),
        ("ebook-download", 5),
        ("pricing-visit", 10),
        ("demo-request", 20),
    ]
    assert explained["stages"][-1]["cause"] == "score 50 >= 40 and grade B"

    # The MQL leaves the nurture journeys through their goals; sales has an owner and an SLA.
    with nurture.runtime.sessions() as session:
        left = {
            (e.journey_id, e.status, e.exit_reason)
            for e in session.scalars(select(models.Enrollment))
        }
    assert left == {
        ("ebook-follow-up", "exited", "goal reached: stage mql"),
        ("welcome", "exited", "goal reached: stage mql"),
    }
    (handoff,) = handoffs(nurture)
    assert handoff.owner == "maja.novak@acme.example"
    # Wednesday 08:00 UTC is 09:00 in Ljubljana: 8 business hours end at 17:00 local.
    assert handoff.sla_due_at == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    # The owner is told by email (the outbox), with how to accept.
    (mail,) = [p.read_text() for p in nurture.outbox.glob("handoff-notification-*.eml")]
    assert "To: maja.novak@acme.example" in mail
    assert "nurture handoff accept carla@northwind.example" in mail


def test_a_very_active_poor_fit_contact_stays_a_lead(nurture: Harness) -> None:
    nurture.contact("kid@gmail.com", job_title="Student")
    for day in range(3):
        nurture.emit("kid@gmail.com", "demo_requested", id=f"demo-{day}")
        nurture.emit("kid@gmail.com", "page_viewed", url="/pricing", id=f"pricing-{day}")
        nurture.advance(days=1)
    summary = nurture.summary("kid@gmail.com")
    # 3 x (20 + 10), the hot-lead track's 10 intent points, student -30, free mail -10
    assert summary["score"] == 90 + 10 - 40
    assert (summary["band"], summary["grade"], summary["stage"]) == ("hot", "D", "lead")
    assert handoffs(nurture) == []
    assert explain(nurture.runtime, "kid@gmail.com")["action"] == "curious, not a buyer"


def test_thirty_days_of_silence_take_a_warm_contact_back_to_cold(nurture: Harness) -> None:
    nurture.contact("tom@initech.example")
    nurture.emit("tom@initech.example", "content_downloaded", content_type="ebook")
    nurture.emit("tom@initech.example", "page_viewed", url="/pricing")
    last_seen = nurture.now()
    assert (
        nurture.score("tom@initech.example"),
        nurture.summary("tom@initech.example")["band"],
    ) == (
        15,
        "warm",
    )

    nurture.advance(days=30, seconds=-1)
    assert nurture.summary("tom@initech.example")["band"] == "warm"
    nurture.advance(seconds=1)
    summary = nurture.summary("tom@initech.example")
    assert (summary["score"], summary["band"]) == (5, "cold")
    inactivity = explain(nurture.runtime, "tom@initech.example")["ledger"][-1]
    assert inactivity == {
        "at": (last_seen + timedelta(days=30)).isoformat(),
        "rule": "inactivity",
        "kind": "inactivity",
        "points": -10,
        "reason": "no activity for 30 days",
        "event": None,
    }

    # Another month takes the rest, never below zero behaviour points; then nothing more.
    nurture.advance(days=90)
    assert nurture.score("tom@initech.example") == 0
    rows = explain(nurture.runtime, "tom@initech.example")["ledger"]
    assert [r["points"] for r in rows if r["kind"] == "inactivity"] == [-10, -5]


def test_the_fourth_webinar_adds_nothing_and_the_cap_frees_up_after_its_period(
    nurture: Harness,
) -> None:
    nurture.contact("wes@globex.example")
    for number in (1, 2, 3, 4):
        result = nurture.emit("wes@globex.example", "webinar_attended", webinar=f"w{number}")
        assert result.points == (10 if number <= 3 else 0)
        nurture.advance(days=7)
    assert nurture.score("wes@globex.example") == 30
    rows = explain(nurture.runtime, "wes@globex.example")["ledger"]
    assert [r["reason"] for r in rows] == [f"webinar_attended w{n}" for n in (1, 2, 3)]

    # 90 days after the first one, a webinar counts again.
    nurture.advance(days=90 - 28)
    assert nurture.emit("wes@globex.example", "webinar_attended", webinar="w5").points == 10


def _mql_on_friday_afternoon(nurture: Harness) -> None:
    nurture.contact(CARLA, job_title="CEO", company_size=200)  # fit 25, grade A
    nurture.emit(CARLA, "page_viewed", url="/pricing")  # 35, not yet
    assert nurture.stage(CARLA) == "lead" or nurture.stage(CARLA) == "subscriber"
    assert nurture.emit(CARLA, "content_downloaded", content_type="ebook").stages[-1] == "mql"


def test_an_sla_breaches_over_a_weekend_in_business_hours_and_is_reassigned(
    nurture: Harness,
) -> None:
    # Friday 6 March, 14:00 UTC = 15:00 in Ljubljana: two business hours left this week.
    nurture.advance(to_friday := datetime(2026, 3, 6, 14, tzinfo=UTC) - nurture.now())
    assert to_friday > timedelta()
    _mql_on_friday_afternoon(nurture)
    (handoff,) = handoffs(nurture)
    monday = datetime(2026, 3, 9, 14, tzinfo=UTC)  # 2 h on Friday + 6 h on Monday
    assert (handoff.owner, handoff.sla_due_at) == ("maja.novak@acme.example", monday)

    # The weekend passes without breach; on Monday at 15:00 local the SLA is breached.
    nurture.advance(monday - nurture.now() - timedelta(minutes=1))
    assert handoff_trail(nurture) == [("assigned", "assigned to maja.novak@acme.example")]
    nurture.advance(minutes=1)
    (handoff,) = handoffs(nurture)
    assert handoff.owner == "luka.horvat@acme.example" == nurture.summary(CARLA)["owner"]
    assert handoff.sla_due_at == datetime(2026, 3, 10, 14, tzinfo=UTC)
    assert handoff_trail(nurture)[-1] == (
        "escalated",
        "SLA due 2026-03-09T14:00:00+00:00 breached by maja.novak@acme.example: "
        "reassigned to luka.horvat@acme.example",
    )

    # Luka accepts in time: a SAL, and nothing more is escalated.
    assert feedback.accept(nurture.runtime, CARLA) == "sal"
    nurture.advance(days=10)
    assert [kind for kind, _ in handoff_trail(nurture)] == ["assigned", "escalated", "accepted"]
    assert nurture.stage(CARLA) == "sal"


def test_the_weekend_sla_under_freezegun(tmp_path: Path, nurture_workspace, nurture_templates):
    """The same breach with the system clock frozen and moved by freezegun."""
    with freeze_time(datetime(2026, 3, 6, 14, tzinfo=UTC)) as frozen:
        nurture = make_harness(tmp_path, SystemClock(), nurture_workspace, nurture_templates)
        _mql_on_friday_afternoon(nurture)
        frozen.move_to(datetime(2026, 3, 9, 13, 59, tzinfo=UTC))
        nurture.run_due()
        assert handoffs(nurture)[0].owner == "maja.novak@acme.example"
        frozen.move_to(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
        nurture.run_due()
        assert handoffs(nurture)[0].owner == "luka.horvat@acme.example"
        assert handoff_trail(nurture)[-1][0] == "escalated"
        nurture.runtime.engine.dispose()


RE_NURTURE = """\
id: re-nurture
name: Re-nurture
priority: 5
entry:
  stages: [recycled]
goals:
  - stage: mql
steps:
  - {id: case-study, type: send, template: case-study}
  - {id: pause, type: wait, duration: 14d}
  - {id: getting-started, type: send, template: getting-started}
"""


def test_rejected_recycled_and_nurtured_again_until_it_qualifies_anew(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path
) -> None:
    workspace = tmp_path / "journeys"
    workspace.mkdir()
    for path in nurture_workspace.glob("*.yaml"):
        (workspace / path.name).write_text(path.read_text())
    (workspace / "re-nurture.yaml").write_text(RE_NURTURE)
    nurture = make_harness(
        tmp_path, ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC)), workspace, nurture_templates
    )
    nurture.contact(CARLA, first_name="Carla", job_title="CMO", company_size=250)  # fit 25
    nurture.emit(CARLA, "subscribed")
    nurture.emit(CARLA, "demo_requested")  # 45: MQL
    assert nurture.stage(CARLA) == "mql"
    assert nurture.sent_steps(CARLA) == ["welcome/welcome"]

    nurture.advance(hours=3)
    assert feedback.reject(nurture.runtime, CARLA, "no budget until Q3") == "recycled"
    nurture.run_due()
    explained = explain(nurture.runtime, CARLA)
    # Back to marketing: behaviour points reset (fit stays), no owner, the reason on record.
    assert (explained["stage"], explained["score"], explained["owner"]) == ("recycled", 25, None)
    assert explained["stages"][-1]["cause"] == (
        "rejected by maja.novak@acme.example: no budget until Q3"
    )
    assert explained["ledger"][-1]["kind"] == "reset"
    assert explained["handoffs"][0]["status"] == "rejected"
    assert explained["handoffs"][0]["reason"] == "no budget until Q3"
    # ... and into the re-nurture journey at once.
    assert nurture.sent_steps(CARLA) == ["welcome/welcome", "re-nurture/case-study"]

    nurture.advance(days=14)
    assert nurture.sent_steps(CARLA)[-1] == "re-nurture/getting-started"

    # Months later she is back: pricing and a demo make her an MQL again, for the next rep.
    nurture.advance(days=60)
    nurture.emit(CARLA, "page_viewed", url="/pricing")
    assert nurture.emit(CARLA, "demo_requested").stages == ("mql",)
    assert [h.owner for h in handoffs(nurture)] == [
        "maja.novak@acme.example",
        "luka.horvat@acme.example",
    ]
    nurture.runtime.engine.dispose()
