from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from nurture.domain.contacts import Profile
from nurture.domain.decay import Decay
from nurture.domain.events import Event
from nurture.domain.scoring import Award, BehaviourRule, FitRule, ScoringModel, Threshold

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def event(type: str, **properties: Any) -> Event:
    return Event(type, AT, properties)


# --- behaviour rules ------------------------------------------------------------------

PRICING = BehaviourRule("pricing", "page_viewed", 10, {"url": "/pricing*"})


@pytest.mark.parametrize("url", ["/pricing", "/pricing/enterprise", "/PRICING?plan=pro"])
def test_behaviour_glob_matches_property_case_insensitively(url: str) -> None:
    assert PRICING.matches(event("page_viewed", url=url))


@pytest.mark.parametrize("url", ["/blog/pricing", "/", ""])
def test_behaviour_glob_must_match_the_whole_value(url: str) -> None:
    assert not PRICING.matches(event("page_viewed", url=url))


def test_behaviour_pattern_case_is_ignored_too() -> None:
    rule = BehaviourRule("ebook", "content_downloaded", 5, {"content_type": "EBook"})
    assert rule.matches(event("content_downloaded", content_type="ebook"))


def test_behaviour_rule_needs_the_event_type() -> None:
    assert not PRICING.matches(event("email_clicked", url="/pricing"))


def test_behaviour_rule_fails_when_the_property_is_missing() -> None:
    assert not PRICING.matches(event("page_viewed"))


def test_behaviour_rule_needs_every_where_glob() -> None:
    rule = BehaviourRule(
        "guide", "content_downloaded", 5, {"content_type": "guide", "title": "*pricing*"}
    )
    assert rule.matches(event("content_downloaded", content_type="guide", title="Pricing 101"))
    assert not rule.matches(event("content_downloaded", content_type="guide", title="Onboarding"))


def test_behaviour_rule_without_where_matches_any_event_of_its_type() -> None:
    assert BehaviourRule("demo", "demo_requested", 20).matches(event("demo_requested"))


def test_behaviour_glob_compares_non_string_values_as_text() -> None:
    rule = BehaviourRule("long-read", "page_viewed", 3, {"seconds": "1??"})
    assert rule.matches(event("page_viewed", seconds=120))
    assert not rule.matches(event("page_viewed", seconds=12))


# --- fit rules ------------------------------------------------------------------------


def profile(**fields: Any) -> Profile:
    return Profile(email=fields.pop("email", "ana@acme.com"), **fields)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", True),
        ("Chief Marketing Officer", True),
        ("ceo & founder", True),
        ("CEOs fan", False),
    ],
)
def test_fit_matches_is_a_case_insensitive_regex_search(title: str, expected: bool) -> None:
    rule = FitRule("c-level", "job_title", "matches", r"\b(CEO|Chief)\b", 15)
    assert rule.matches(profile(job_title=title)) is expected


def test_fit_equals_ignores_case() -> None:
    rule = FitRule("saas", "industry", "equals", "SaaS", 5)
    assert rule.matches(profile(industry="saas"))
    assert not rule.matches(profile(industry="saas tools"))


def test_fit_in_and_not_in_on_email_domain() -> None:
    free = ["gmail.com", "Yahoo.com"]
    is_free = FitRule("free", "email_domain", "in", free, -10)
    not_free = FitRule("work", "email_domain", "not_in", free, 5)
    assert is_free.matches(profile(email="ana@yahoo.com"))
    assert not not_free.matches(profile(email="ana@yahoo.com"))
    assert not is_free.matches(profile(email="ana@acme.com"))
    assert not_free.matches(profile(email="ana@acme.com"))


def test_fit_in_compares_numbers_as_text() -> None:
    assert FitRule("sizes", "company_size", "in", [10, 50], 1).matches(profile(company_size=50))


@pytest.mark.parametrize(("size", "gte", "lt"), [(49, False, True), (50, True, False)])
def test_fit_gte_and_lt_at_the_boundary(size: int, gte: bool, lt: bool) -> None:
    assert FitRule("big", "company_size", "gte", 50, 10).matches(profile(company_size=size)) is gte
    assert FitRule("small", "company_size", "lt", 50, 10).matches(profile(company_size=size)) is lt


def test_fit_reads_custom_attributes_and_numeric_text() -> None:
    rule = FitRule("revenue", "revenue", "gte", 1_000_000, 10)
    assert rule.matches(profile(attributes={"revenue": "2500000"}))
    assert not rule.matches(profile(attributes={"revenue": 999}))


@pytest.mark.parametrize("op", ["matches", "equals", "in", "gte", "lt"])
@pytest.mark.parametrize("missing", [None, ""])
def test_fit_missing_value_never_matches_a_positive_test(op: str, missing: str | None) -> None:
    value: Any = ["x"] if op == "in" else 1
    rule = FitRule("r", "industry", op, value, 1)  # type: ignore[arg-type]
    assert not rule.matches(profile(industry=missing))


@pytest.mark.parametrize("missing", [None, ""])
def test_fit_missing_value_is_not_in_any_list(missing: str | None) -> None:
    rule = FitRule("r", "industry", "not_in", ["retail"], 1)
    assert rule.matches(profile(industry=missing))


def test_fit_unknown_attribute_counts_as_missing() -> None:
    assert not FitRule("r", "no_such_field", "equals", "x", 1).matches(profile())


def test_fit_gte_on_a_non_numeric_value_does_not_match() -> None:
    rule = FitRule("revenue", "revenue", "gte", 1000, 10)
    assert not rule.matches(profile(attributes={"revenue": "lots"}))


def test_fit_describe() -> None:
    assert FitRule("big", "company_size", "gte", 50.0, 10).describe() == "company_size gte 50"
    free = FitRule("free", "email_domain", "not_in", ["gmail.com", "yahoo.com"], 1)
    assert free.describe() == "email_domain not in gmail.com, yahoo.com"


# --- the model: fit points, bands, grades, awards -------------------------------------

MODEL = ScoringModel(
    behaviour=(
        PRICING,
        BehaviourRule("any-page", "page_viewed", 1),
        BehaviourRule("demo", "demo_requested", 20),
        BehaviourRule("ebook", "content_downloaded", 5, {"content_type": "ebook"}),
    ),
    fit=(
        FitRule("big", "company_size", "gte", 50, 10),
        FitRule("student", "job_title", "matches", "student", -30),
    ),
    # Deliberately out of order: levels are ranked by their minimum, not by position.
    bands=(Threshold("hot", 40), Threshold("cold", 0), Threshold("warm", 15)),
    grades=(Threshold("A", 25), Threshold("C", 0), Threshold("B", 10)),
)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (-5, "cold"),
        (0, "cold"),
        (14, "cold"),
        (15, "warm"),
        (39, "warm"),
        (40, "hot"),
        (900, "hot"),
    ],
)
def test_band_thresholds(score: int, band: str) -> None:
    assert MODEL.band(score) == band


@pytest.mark.parametrize(
    ("points", "grade"), [(-30, "C"), (9, "C"), (10, "B"), (24, "B"), (25, "A")]
)
def test_grade_thresholds_and_below_the_lowest(points: int, grade: str) -> None:
    assert MODEL.grade(points) == grade


def test_band_and_grade_names_keep_the_written_order() -> None:
    assert MODEL.band_names == ["hot", "cold", "warm"]
    assert MODEL.grade_names == ["A", "C", "B"]


def test_a_model_needs_a_band() -> None:
    with pytest.raises(ValueError, match="needs at least one band"):
        ScoringModel(behaviour=(), fit=(), bands=(), grades=MODEL.grades)


def test_a_model_needs_a_grade() -> None:
    with pytest.raises(ValueError, match="needs at least one grade"):
        ScoringModel(behaviour=(), fit=(), bands=MODEL.bands, grades=())


def test_fit_points_lists_every_rule() -> None:
    student = profile(job_title="Student", company_size=200)
    assert MODEL.fit_points(student) == {"big": 10, "student": -30}
    assert MODEL.fit_points(profile()) == {"big": 0, "student": 0}


def test_score_event_awards_every_matching_rule_in_order() -> None:
    awards = MODEL.score_event(event("page_viewed", url="/pricing"))
    assert awards == [
        Award("pricing", 10, "page_viewed /pricing"),
        Award("any-page", 1, "page_viewed /pricing"),
    ]


def test_score_event_reason_without_describable_properties_is_the_type() -> None:
    assert MODEL.score_event(event("demo_requested", source="web")) == [
        Award("demo", 20, "demo_requested")
    ]


def test_score_event_reason_names_the_content() -> None:
    awards = MODEL.score_event(
        event("content_downloaded", content_type="ebook", title="Nurture 101")
    )
    assert awards == [Award("ebook", 5, "content_downloaded Nurture 101")]


def test_score_event_without_matching_rule_awards_nothing() -> None:
    assert MODEL.score_event(event("email_opened")) == []
    assert MODEL.score_event(event("content_downloaded", content_type="whitepaper")) == []


# --- which rules an event meets -------------------------------------------------------

INTERLEAVED = ScoringModel(
    behaviour=(
        BehaviourRule("pricing", "page_viewed", 10, {"url": "/pricing*"}),
        BehaviourRule("demo", "demo_requested", 20),
        BehaviourRule("any-page", "page_viewed", 1),
        BehaviourRule("docs", "page_viewed", 2, {"url": "/docs/*"}),
    ),
    fit=(),
    bands=(Threshold("cold", 0),),
    grades=(Threshold("C", 0),),
)


def test_an_event_type_has_its_rules_in_the_models_order() -> None:
    assert [r.id for r in INTERLEAVED.rules_for("page_viewed")] == ["pricing", "any-page", "docs"]
    assert [r.id for r in INTERLEAVED.rules_for("demo_requested")] == ["demo"]
    assert INTERLEAVED.rules_for("email_opened") == ()


def test_the_decaying_rules_keep_the_models_order() -> None:
    half = Decay(half_life=timedelta(days=10))
    model = ScoringModel(
        behaviour=(
            BehaviourRule("click", "email_clicked", 4, decay=half),
            BehaviourRule("demo", "demo_requested", 20),
            BehaviourRule("any-page", "page_viewed", 1, decay=half),
        ),
        fit=(),
        bands=(Threshold("cold", 0),),
        grades=(Threshold("C", 0),),
    )
    assert [rule.id for rule in model.decaying] == ["click", "any-page"]
    assert INTERLEAVED.decaying == ()


@pytest.mark.parametrize(
    "seen",
    [
        event("page_viewed", url="/pricing/team"),
        event("page_viewed", url="/docs/api"),
        event("page_viewed"),
        event("demo_requested", url="/pricing"),
        event("email_opened", url="/pricing"),
    ],
)
def test_awards_are_those_of_every_rule_checked_in_order(seen: Event) -> None:
    every_rule = [rule.id for rule in INTERLEAVED.behaviour if rule.matches(seen)]
    assert [award.rule for award in INTERLEAVED.score_event(seen)] == every_rule
