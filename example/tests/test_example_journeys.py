"""The example workspace's journeys, each as the story of one contact over days and weeks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from nurture.engine import feedback
from nurture.store import models
from nurture.testing import Harness

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def steps_of(h: Harness, email: str, journey: str) -> list[str]:
    return [s.split("/", 1)[1] for s in h.sent_steps(email) if s.startswith(journey + "/")]


def sent_at(h: Harness, email: str, step: str) -> datetime:
    (found,) = [m for m in h.sent(email) if m["step"] == step]
    return datetime.fromisoformat(found["sent_at"])


def test_ebook_follow_up_related_content_then_case_study_then_webinar_invitation(
    nurture: Harness,
) -> None:
    eva = "eva@shop.example"
    nurture.contact(eva, first_name="Eva", job_title="Analyst", timezone="Europe/Ljubljana")
    nurture.emit(eva, "content_downloaded", content_type="ebook", title="Three dashboards")
    assert steps_of(nurture, eva, "ebook-follow-up") == ["related-content"]
    nurture.advance(days=3)
    assert steps_of(nurture, eva, "ebook-follow-up") == ["related-content", "case-study"]
    assert nurture.sent(eva)[1]["subject"].startswith("Eva: how Dravinja Foods")
    nurture.advance(days=7)
    assert steps_of(nurture, eva, "ebook-follow-up")[-1] == "webinar-invite"
    invited = sent_at(nurture, eva, "webinar-invite").astimezone(LJUBLJANA)
    assert (invited.strftime("%a %H:%M")) == "Tue 10:00"


def test_webinar_attendee_with_a_good_fit_goes_to_sales_and_the_owner_hears_of_it(
    nurture: Harness,
) -> None:
    vid = "vid@bigco.example"
    nurture.contact(vid, job_title="CMO", company_size=250)  # grade A, 25 points: warm
    nurture.emit(vid, "webinar_registered", webinar="data-basics")
    nurture.advance(days=1)
    nurture.emit(vid, "webinar_attended", webinar="data-basics")
    assert steps_of(nurture, vid, "webinar-follow-up") == ["thanks", "tell-owner"]
    summary = nurture.summary(vid)
    assert summary["stage"] == "mql"
    assert summary["owner"] is not None
    with nurture.runtime.sessions() as session:
        notice = session.scalars(
            select(models.Message).where(models.Message.step_id == "tell-owner")
        ).one()
        assert notice.subject == f"Webinar attendee for you: {vid}"


def test_webinar_registrant_who_missed_it_gets_the_recording(nurture: Harness) -> None:
    mo = "mo@shop.example"
    nurture.contact(mo, job_title="Analyst")
    nurture.emit(mo, "webinar_registered", webinar="data-basics")
    nurture.advance(days=2, minutes=-1)
    assert steps_of(nurture, mo, "webinar-follow-up") == []
    nurture.advance(minutes=1)
    assert steps_of(nurture, mo, "webinar-follow-up") == ["recording"]


def test_hot_lead_fast_track_after_two_pricing_visits_in_a_week(nurture: Harness) -> None:
    ian = "ian@shop.example"
    nurture.contact(ian, job_title="Engineer")
    nurture.emit(ian, "subscribed")
    nurture.emit(ian, "page_viewed", url="/pricing")
    assert steps_of(nurture, ian, "hot-lead") == []
    score = nurture.score(ian)
    nurture.advance(days=3)
    nurture.emit(ian, "page_viewed", url="/pricing/teams")
    assert steps_of(nurture, ian, "hot-lead") == ["pricing-help"]
    assert nurture.score(ian) == score + 10 + 10  # the visit, and the journey's intent points
    nurture.advance(days=2)  # the click offer timed out, but 3 emails went out this week:
    assert steps_of(nurture, ian, "hot-lead") == ["pricing-help"]  # the cap holds the reminder
    nurture.advance(days=2)  # day 7 frees one place (the welcome's case study takes it),
    assert steps_of(nurture, ian, "hot-lead") == ["pricing-help"]
    nurture.advance(days=2)  # day 9 the next: the reminder goes out
    assert steps_of(nurture, ian, "hot-lead") == ["pricing-help", "reminder"]


def test_a_recycled_lead_is_re_nurtured_after_two_weeks_inside_the_window(
    nurture: Harness,
) -> None:
    rok = "rok@bigco.example"
    nurture.contact(rok, job_title="CTO", company_size=250, timezone="Europe/Ljubljana")
    nurture.emit(rok, "demo_requested")  # 25 fit + 20: an MQL, handed to sales
    assert nurture.stage(rok) == "mql"
    assert feedback.recycle(nurture.runtime, rok, "sales: no budget this year") == "recycled"
    nurture.advance(days=13)
    assert steps_of(nurture, rok, "re-nurture") == []
    nurture.advance(days=3)
    (checkin,) = steps_of(nurture, rok, "re-nurture")
    assert checkin in ("checkin-question", "checkin-news")
    local = sent_at(nurture, rok, checkin).astimezone(LJUBLJANA)
    assert local.strftime("%a") in ("Tue", "Wed", "Thu") and 9 <= local.hour < 17
