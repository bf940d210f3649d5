"""Ana's first weeks: from newsletter sign-up to MQL, through the example workspace."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from nurture.clock import SystemClock
from nurture.testing import DEFAULT_START, Harness, make_harness

ANA = "ana@acme.com"


def test_ana_subscribes_is_welcomed_nurtured_and_leaves_as_an_mql(nurture: Harness) -> None:
    nurture.contact(
        ANA,
        first_name="Ana",
        job_title="CMO",
        company="Acme",
        company_size=250,
        timezone="Europe/Ljubljana",
    )
    assert nurture.stage(ANA) == "subscriber"
    assert nurture.sent_steps(ANA) == []

    # Day 0: she subscribes and is welcomed at once.
    subscribed_at = nurture.now()
    nurture.emit(ANA, "subscribed", form="newsletter")
    assert nurture.stage(ANA) == "lead"
    assert nurture.sent_steps(ANA) == ["welcome/welcome"]
    assert nurture.sent(ANA)[0]["subject"] == "Welcome to Acme, Ana"
    assert nurture.sent(ANA)[0]["sent_at"] == subscribed_at.isoformat()

    # Two days later, and not a minute before, the second email.
    nurture.advance(days=2, minutes=-1)
    assert nurture.sent_steps(ANA) == ["welcome/welcome"]
    nurture.advance(minutes=1)
    assert nurture.sent_steps(ANA) == ["welcome/welcome", "welcome/getting-started"]
    assert nurture.sent(ANA)[1]["sent_at"] == (subscribed_at + timedelta(days=2)).isoformat()

    # Day 3: she downloads the e-book; fit 25 (C-level, 250 people) + 5 is not yet enough.
    nurture.advance(days=1)
    nurture.emit(ANA, "content_downloaded", content_type="ebook", title="Three dashboards")
    assert (nurture.score(ANA), nurture.stage(ANA)) == (30, "lead")
    # The e-book follow-up starts at once with related content (Thursday 09:00 in Ljubljana,
    # inside its weekday send window).
    assert nurture.sent_steps(ANA)[-1] == "ebook-follow-up/related-content"

    # Day 4: the pricing page takes her to 40, the MQL threshold, on exactly that event.
    nurture.advance(days=1)
    result = nurture.emit(ANA, "page_viewed", url="/pricing")
    assert result.stages == ("mql",)
    summary = nurture.summary(ANA)
    assert (summary["score"], summary["stage"], summary["band"]) == (40, "mql", "hot")
    assert summary["owner"] is not None

    # She leaves both nurture journeys: weeks pass and no nurture email follows.
    nurture.advance(days=30)
    assert nurture.sent_steps(ANA) == [
        "welcome/welcome",
        "welcome/getting-started",
        "ebook-follow-up/related-content",
    ]


def test_a_poor_fit_contact_stays_a_lead_however_active(nurture: Harness) -> None:
    nurture.contact("sam@gmail.com", job_title="Student", company_size=3)
    nurture.emit("sam@gmail.com", "subscribed")
    for day in range(6):
        nurture.advance(days=1)
        nurture.emit("sam@gmail.com", "page_viewed", url="/pricing", id=f"sam-pricing-{day}")
        nurture.emit("sam@gmail.com", "demo_requested", id=f"sam-demo-{day}")
    summary = nurture.summary("sam@gmail.com")
    assert summary["score"] >= 40
    assert (summary["grade"], summary["stage"]) == ("D", "lead")


def test_freezegun_moves_the_whole_stack(tmp_path, nurture_workspace, nurture_templates) -> None:
    """The system clock reads frozen time, so a test can move days with freezegun alone."""
    with freeze_time(DEFAULT_START) as frozen:
        harness = make_harness(tmp_path, SystemClock(), nurture_workspace, nurture_templates)
        harness.contact(ANA, first_name="Ana")
        harness.emit(ANA, "subscribed")
        assert harness.sent_steps(ANA) == ["welcome/welcome"]

        frozen.tick(timedelta(days=2) - timedelta(seconds=1))
        harness.run_due()
        assert harness.sent_steps(ANA) == ["welcome/welcome"]

        frozen.tick(timedelta(seconds=1))
        harness.run_due()
        assert harness.sent_steps(ANA) == ["welcome/welcome", "welcome/getting-started"]
        assert harness.sent(ANA)[1]["sent_at"] == "2026-03-04T08:00:00+00:00"
        harness.runtime.engine.dispose()
