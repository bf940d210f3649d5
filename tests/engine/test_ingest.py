"""Event in: stored once, scored into the ledger, stages audited, suppression wins."""

from __future__ import annotations

from sqlalchemy import func, select

from nurture.store import models
from nurture.testing import Harness

BOB = "bob@acme.com"


def _count(harness: Harness, model: type[models.Base], **where: object) -> int:
    with harness.runtime.sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return session.scalar(query) or 0


def test_an_event_with_a_known_id_is_processed_once(nurture: Harness) -> None:
    first = nurture.emit(BOB, "demo_requested", id="evt-1")
    again = nurture.emit(BOB, "demo_requested", id="evt-1")
    assert (first.duplicate, again.duplicate) == (False, True)
    assert nurture.score(BOB) == 20
    assert _count(nurture, models.Event) == 1


def test_an_event_without_id_is_deduplicated_on_its_content(nurture: Harness) -> None:
    nurture.emit(BOB, "page_viewed", url="/pricing")
    assert nurture.emit(BOB, "page_viewed", url="/pricing").duplicate
    assert not nurture.emit(BOB, "page_viewed", url="/pricing/enterprise").duplicate
    assert nurture.score(BOB) == 20


def test_an_unknown_address_becomes_a_subscriber_then_a_lead(nurture: Harness) -> None:
    nurture.emit("New@Example.org", "page_viewed", url="/blog")
    assert nurture.stage("new@example.org") == "subscriber"
    nurture.emit("new@example.org", "subscribed")
    assert nurture.stage("new@example.org") == "lead"
    with nurture.runtime.sessions() as session:
        history = session.execute(
            select(models.StageChange.from_stage, models.StageChange.to_stage).order_by(
                models.StageChange.id
            )
        ).all()
    assert [tuple(row) for row in history] == [(None, "subscriber"), ("subscriber", "lead")]


def test_the_score_is_the_sum_of_its_ledger(nurture: Harness) -> None:
    nurture.contact(BOB, job_title="VP Sales", company_size=80)
    for index, (kind, props) in enumerate(
        [
            ("subscribed", {}),
            ("content_downloaded", {"content_type": "ebook"}),
            ("page_viewed", {"url": "/pricing"}),
            ("page_viewed", {"url": "/blog/x"}),
            ("webinar_attended", {"webinar": "w1"}),
        ]
    ):
        nurture.emit(BOB, kind, id=f"e{index}", **props)
    with nurture.runtime.sessions() as session:
        ledger = session.scalar(select(func.sum(models.ScoreEntry.points))) or 0
        rules = session.scalars(select(models.ScoreEntry.rule).order_by(models.ScoreEntry.id))
        assert list(rules) == [
            "vp-director",
            "mid-market",
            "ebook-download",
            "pricing-visit",
            "webinar-attended",
        ]
    assert nurture.score(BOB) == ledger == 10 + 10 + 5 + 10 + 10


def test_a_changed_profile_corrects_fit_with_a_new_ledger_row(nurture: Harness) -> None:
    nurture.contact(BOB, job_title="CEO")
    assert nurture.summary(BOB)["grade"] == "B"
    nurture.contact(BOB, job_title="Student")
    summary = nurture.summary(BOB)
    assert (summary["score"], summary["grade"]) == (-30, "D")
    with nurture.runtime.sessions() as session:
        points = list(
            session.scalars(select(models.ScoreEntry.points).order_by(models.ScoreEntry.id))
        )
    assert points == [15, -15, -30]


def test_an_unsubscribe_mid_journey_stops_every_later_email(nurture: Harness) -> None:
    nurture.emit(BOB, "subscribed")
    assert nurture.sent_steps(BOB) == ["welcome/welcome"]
    nurture.advance(days=1)
    nurture.emit(BOB, "unsubscribed")
    nurture.advance(days=30)
    assert nurture.sent_steps(BOB) == ["welcome/welcome"]
    assert _count(nurture, models.Suppression, email=BOB, reason="unsubscribed") == 1


def test_a_hard_bounce_suppresses_and_a_soft_one_does_not(nurture: Harness) -> None:
    nurture.emit(BOB, "subscribed")
    nurture.emit("carla@acme.com", "subscribed")
    nurture.emit(BOB, "email_bounced", bounce_type="soft")
    nurture.emit("carla@acme.com", "email_bounced", bounce_type="hard")
    nurture.advance(days=2)
    assert nurture.sent_steps(BOB) == ["welcome/welcome", "welcome/getting-started"]
    assert nurture.sent_steps("carla@acme.com") == ["welcome/welcome"]


def test_a_suppressed_contact_is_never_enrolled(nurture: Harness) -> None:
    nurture.emit(BOB, "spam_reported")
    nurture.emit(BOB, "subscribed")
    nurture.advance(days=10)
    assert nurture.sent_steps(BOB) == []
