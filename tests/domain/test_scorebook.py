"""The score book: caps, decay, inactivity and resets, live and replayed alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nurture.domain.decay import Decay, Inactivity
from nurture.domain.events import Event
from nurture.domain.scorebook import ScoreBook, replay
from nurture.domain.scoring import BehaviourRule, Cap, ScoringModel, Threshold

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
MODEL = ScoringModel(
    behaviour=(
        BehaviourRule("webinar", "webinar_attended", 10, cap=Cap(3, 90 * DAY)),
        BehaviourRule("click", "email_clicked", 4, decay=Decay(half_life=10 * DAY)),
        BehaviourRule("open", "email_opened", 0),
        BehaviourRule("pricing", "page_viewed", 10, {"url": "/pricing*"}),
    ),
    fit=(),
    bands=(Threshold("cold", 0), Threshold("warm", 15)),
    grades=(Threshold("C", 0),),
    inactivity=Inactivity(30 * DAY, -10),
)


def at(days: float, kind: str, **properties: str) -> Event:
    return Event(kind, T0 + days * DAY, properties)


def test_a_cap_stops_the_fourth_award_within_its_period() -> None:
    book = ScoreBook(MODEL)
    points = [sum(r.points for r in book.on_event(at(d, "webinar_attended"))) for d in (0, 7, 14)]
    assert points == [10, 10, 10]
    assert book.on_event(at(21, "webinar_attended")) == []
    later = book.on_event(at(90, "webinar_attended"))  # after two silent months
    assert [(r.kind, r.points) for r in later] == [
        ("inactivity", -10),
        ("inactivity", -10),
        ("behaviour", 10),
    ]


def test_zero_point_matches_are_no_activity_and_inactivity_never_goes_below_zero() -> None:
    book = ScoreBook(MODEL)
    book.on_event(at(0, "page_viewed", url="/pricing"))
    book.on_event(at(20, "email_opened"))  # an open scores nothing and is not activity
    rows = book.catch_up(T0 + 90 * DAY)
    assert [(r.kind, r.points, r.at) for r in rows] == [("inactivity", -10, T0 + 30 * DAY)]
    assert book.points == 0
    assert book.next_due() is None  # nothing left to take


def test_decay_caught_up_late_lands_where_a_daily_catch_up_does() -> None:
    daily, late = ScoreBook(MODEL), ScoreBook(MODEL)
    for book in (daily, late):
        book.on_event(at(0, "email_clicked"))
        book.on_event(at(0, "pricing", url="/x"))  # matches nothing
    for day in range(1, 21):
        daily.catch_up(T0 + day * DAY)
    late.catch_up(T0 + 20 * DAY)
    assert daily.points == late.points == 1  # 4 -> 2 -> 1 over two half-lives
    assert len(daily.rows) > len(late.rows)


def test_a_reset_cancels_behaviour_and_starts_caps_afresh() -> None:
    book = ScoreBook(MODEL)
    for day in (0, 1, 2):
        book.on_event(at(day, "webinar_attended"))
    (reset,) = book.reset(T0 + 3 * DAY, "recycled: no budget")
    assert (reset.kind, reset.points) == ("reset", -30)
    assert [r.points for r in book.on_event(at(4, "webinar_attended"))] == [10]


def test_replay_gives_the_rows_of_live_scoring() -> None:
    events = [
        at(0, "webinar_attended"),
        at(1, "email_clicked"),
        at(2, "page_viewed", url="/pricing"),
        at(50, "webinar_attended"),
    ]
    live = ScoreBook(MODEL)
    for number, event in enumerate(events):
        live.on_event(event, number)
        live.catch_up(event.occurred_at + DAY)  # a sweep the day after each event
    live.catch_up(T0 + 120 * DAY)
    rows, book = replay(MODEL, enumerate(events), [], T0 + 120 * DAY)
    assert book.points == live.points == sum(r.points for r in rows)
    kinds = {(r.kind, r.rule) for r in rows}
    assert ("inactivity", "inactivity") in kinds and ("decay", "click") in kinds


def test_an_event_meets_only_its_types_rules_and_their_rows_keep_the_models_order() -> None:
    model = ScoringModel(
        behaviour=(
            BehaviourRule("pricing", "page_viewed", 10, {"url": "/pricing*"}),
            BehaviourRule("click", "email_clicked", 4),
            BehaviourRule("any-page", "page_viewed", 1),
            BehaviourRule("plans", "page_viewed", 3, {"url": "*/plans"}),
        ),
        fit=(),
        bands=MODEL.bands,
        grades=MODEL.grades,
    )
    book = ScoreBook(model)
    rows = book.on_event(at(0, "page_viewed", url="/pricing/plans"), "key")
    assert [(r.rule, r.points, r.reason, r.event) for r in rows] == [
        ("pricing", 10, "page_viewed /pricing/plans", "key"),
        ("any-page", 1, "page_viewed /pricing/plans", "key"),
        ("plans", 3, "page_viewed /pricing/plans", "key"),
    ]
    assert [r.rule for r in book.on_event(at(1, "email_clicked"))] == ["click"]
    assert book.on_event(at(2, "form_submitted", url="/pricing")) == []
