"""One comparison language: every row holds alike for a fit rule and for a journey condition."""

from datetime import UTC, datetime
from typing import Any

import pytest

from nurture.definitions.journey_schema import AttributeSpec
from nurture.definitions.schema import CompareSpec, FitSpec
from nurture.domain.comparison import OPS, Op, compare, describe
from nurture.domain.conditions import Compare, NoFacts, Subject
from nurture.domain.contacts import Profile, State
from nurture.domain.scoring import FitRule

TABLE: list[tuple[Any, Op, Any, bool]] = [
    # numbers and the text that spells them are the same value
    (50, "equals", "50", True),
    ("50", "equals", 50, True),
    ("50.0", "equals", 50, True),
    (50.0, "equals", "50", True),
    (" 50 ", "in", [10, 50], True),
    (50, "in", ["10", "50"], True),
    ("fifty", "equals", 50, False),
    # text ignores case and surrounding spaces; booleans are the text true / false
    ("SaaS ", "equals", "saas", True),
    ("si", "in", ["SI", "HR"], True),
    ("retail", "not_in", ["Retail"], False),
    (True, "equals", "true", True),
    ("false", "equals", False, True),
    (True, "equals", 1, False),
    # missing: None, or text that is empty or only spaces; only not_in and exists: false pass
    (None, "equals", "x", False),
    ("", "equals", "", False),
    ("  ", "in", ["", " "], False),
    ("", "not_in", ["retail"], True),
    (None, "not_in", ["retail"], True),
    ("", "exists", True, False),
    ("", "exists", False, True),
    (None, "exists", False, True),
    ("x", "exists", True, True),
    (0, "exists", True, True),
    ("", "matches", ".*", False),
    ("", "gte", 0, False),
    (None, "lt", 10, False),
    # order holds only for numbers (or text spelling one)
    (250, "gte", 250, True),
    ("250", "gt", 249.5, True),
    (250, "lt", 250, False),
    (250, "lte", 250, True),
    ("many", "gte", 3, False),
    ("nan", "lt", 10, False),
    (float("inf"), "gt", 10, False),
    (True, "gte", 1, False),
    (50, "between", (50, 1000), True),
    ("999.5", "between", (50, 1000), True),
    (1000, "between", (50, 1000), False),
    (49, "between", (50, 1000), False),
    # matches searches the value's text, ignoring case
    ("Chief Marketing Officer", "matches", r"\bchief\b", True),
    (50.0, "matches", "^50$", True),
    (True, "matches", "^true$", True),
    ("CTO", "matches", "^CEO$", False),
]


def subject(value: Any) -> Subject:
    return Subject(
        Profile("a@x.example", attributes={"field": value}), State("lead", 0, "cold", "D"), NOW
    )


NOW = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(("actual", "op", "value", "expected"), TABLE)
def test_fit_rules_and_conditions_give_the_same_answer(
    actual: Any, op: Op, value: Any, expected: bool
) -> None:
    assert compare(actual, op, value) is expected
    fit = FitRule("r", "field", op, value, 1)
    assert fit.matches(Profile("a@x.example", attributes={"field": actual})) is expected
    assert Compare("field", op, value).holds(subject(actual), NoFacts()) is expected


def test_every_operator_is_in_the_table() -> None:
    assert {op for _, op, _, _ in TABLE} == set(OPS)


def test_fit_rules_and_conditions_accept_the_same_tests() -> None:
    def tests(spec: type[CompareSpec], own: set[str]) -> set[str]:
        keys = {f.alias or name for name, f in spec.model_fields.items()}
        return keys - own

    assert issubclass(FitSpec, CompareSpec) and issubclass(AttributeSpec, CompareSpec)
    assert tests(FitSpec, {"id", "field", "points"}) == set(OPS)
    assert tests(AttributeSpec, {"name"}) == set(OPS)
    assert tests(CompareSpec, set()) == set(OPS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {},
            "give exactly one test: equals, in, not_in, gt, gte, lt, lte, between, matches or exists",
        ),
        ({"gte": 1, "lt": 5}, "give exactly one test"),
        ({"between": [10, 10]}, "[low, high] needs low below high"),
        ({"matches": "(unclosed"}, "not a valid regular expression"),
    ],
)
def test_one_test_is_given_and_valid(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        CompareSpec.model_validate(data)


def test_a_test_in_words() -> None:
    assert (
        describe("company_size", "between", (50.0, 1000.0)) == "company_size from 50 to under 1000"
    )
    assert describe("country", "in", ["SI", "AT"]) == "country in SI, AT"
    assert describe("company_size", "gte", 50.0) == "company_size gte 50"
    assert describe("industry", "exists", True) == "industry is given"
