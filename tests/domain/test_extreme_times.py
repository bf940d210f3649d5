"""Extreme moments through the domain's time arithmetic: nothing overflows.

Two properties. Any moment a datetime can hold, with any duration a workspace may write
(up to a century), gives a result or a ValueError that says why, never an OverflowError.
And any moment the doors accept (nurture/times.py) gives a result, never an error at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from nurture.domain.business_hours import BusinessHours
from nurture.domain.decay import Decay, Inactivity
from nurture.domain.durations import LONGEST
from nurture.domain.events import Event
from nurture.domain.scorebook import ScoreBook
from nurture.domain.scoring import BehaviourRule, ScoringModel, Threshold
from nurture.domain.sending import FrequencyCap, QuietHours, SendingRules
from nurture.domain.windows import SendWindow
from nurture.domain.workspace import HandoffRules
from nurture.times import EARLIEST, LATEST

ZONES = st.sampled_from(
    ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Europe/Ljubljana", "America/St_Johns"]
)
ANY_MOMENT = st.datetimes(timezones=st.just(UTC))
ACCEPTED = st.datetimes(
    min_value=EARLIEST.replace(tzinfo=None),
    max_value=(LATEST - timedelta(microseconds=1)).replace(tzinfo=None),
    timezones=st.just(UTC),
)
DURATIONS = st.timedeltas(min_value=timedelta(seconds=1), max_value=LONGEST)
POINTS = st.integers(min_value=1, max_value=1000)


def model(after: timedelta, every: timedelta, half_life: timedelta) -> ScoringModel:
    return ScoringModel(
        behaviour=(
            BehaviourRule("click", "email_clicked", 5, decay=Decay(half_life=half_life)),
            BehaviourRule("visit", "page_viewed", 7, decay=Decay(amount=1, every=every)),
            BehaviourRule("webinar", "webinar_attended", 10),
        ),
        fit=(),
        bands=(Threshold("cold", 0),),
        grades=(Threshold("C", 0),),
        inactivity=Inactivity(after, -3),
    )


def run_book(book: ScoreBook, moment: datetime) -> None:
    for kind in ("email_clicked", "page_viewed", "webinar_attended"):
        book.on_event(Event(kind, moment, {}))
    due = book.next_due()
    assert due is None or due > moment
    if due is not None and due - moment < timedelta(days=400):
        book.catch_up(due)


@settings(max_examples=150, deadline=None)
@given(ANY_MOMENT, DURATIONS, DURATIONS, DURATIONS)
def test_a_score_book_at_any_moment_never_overflows(
    moment: datetime, after: timedelta, every: timedelta, half_life: timedelta
) -> None:
    run_book(ScoreBook(model(after, every, half_life)), moment)


@settings(max_examples=100, deadline=None)
@given(ANY_MOMENT, DURATIONS, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)))
def test_inactivity_due_at_any_moment_never_overflows(
    moment: datetime, after: timedelta, gap: timedelta
) -> None:
    try:
        until = moment + gap
    except OverflowError:
        until = datetime.max.replace(tzinfo=UTC)
    due = Inactivity(max(after, timedelta(days=1)), -1).due(moment, moment, until)
    assert all(moment < d <= until for d in due)


@settings(max_examples=150, deadline=None)
@given(ANY_MOMENT, ZONES, DURATIONS)
def test_windows_business_hours_and_slas_at_any_moment_answer_or_say_why(
    moment: datetime, zone: str, sla: timedelta
) -> None:
    window = SendWindow(frozenset({0, 2, 4}), time(9), time(17))
    rules = SendingRules(
        window=window, quiet_hours=QuietHours(time(22), time(7)), cap=FrequencyCap(2, sla)
    )
    hours = BusinessHours(zone, holidays=frozenset())
    handoff = HandoffRules(team=(), sla=sla, business_hours=hours)
    for compute in (
        lambda: window.next_opening(moment, zone),
        lambda: rules.next_allowed(moment, zone),
        lambda: rules.cap.free_at([moment, moment], moment) if rules.cap else None,  # type: ignore[union-attr]
        lambda: hours.add(moment, sla),
        lambda: handoff.due(moment),
        lambda: HandoffRules(team=(), sla=sla).due(moment),
    ):
        try:
            result = compute()
        except ValueError as exc:
            assert str(exc)
        else:
            assert result is None or result >= moment


@settings(max_examples=150, deadline=None)
@given(
    ACCEPTED,
    ZONES,
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=30)),
    DURATIONS,
)
def test_every_accepted_moment_gives_an_answer(
    moment: datetime, zone: str, sla: timedelta, after: timedelta
) -> None:
    window = SendWindow(frozenset({5}), time(9), time(17))
    rules = SendingRules(window=window, quiet_hours=QuietHours(time(22), time(7)))
    assert rules.next_allowed(moment, zone) >= moment
    hours = BusinessHours(zone, holidays=frozenset())
    assert HandoffRules(team=(), sla=sla, business_hours=hours).due(moment) > moment
    assert HandoffRules(team=(), sla=sla).due(moment) > moment
    book = ScoreBook(model(after, after, after))
    run_book(book, moment)
    assert book.next_due() is not None
