"""The A/B/n significance test (a pure function) and the section without a splits table."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scipy.stats import chi2_contingency

from nurture.reports.build import build_report
from nurture.reports.scope import Scope
from nurture.reports.splits import Variant, split_test
from nurture.reports.text import split_table
from nurture.store.db import make_engine
from nurture.store.models import Base


def test_two_variants_use_the_pooled_two_proportion_z_test() -> None:
    result = split_test([Variant("A", 200, 20), Variant("B", 200, 40)])
    # pooled p = 0.15; standard error = sqrt(0.15 * 0.85 * (1/200 + 1/200)) = 0.0357071
    assert result.method == "two-proportion z-test"
    assert result.statistic == pytest.approx(0.1 / 0.0357071, rel=1e-5)
    assert result.p_value == pytest.approx(0.005101, abs=2e-6)
    assert result.significant()
    chi = chi2_contingency([[20, 180], [40, 160]], correction=False)
    assert result.statistic**2 == pytest.approx(chi.statistic)
    assert result.p_value == pytest.approx(chi.pvalue)


def test_a_lower_second_variant_gives_a_negative_z_and_the_same_p() -> None:
    up = split_test([Variant("A", 120, 30), Variant("B", 130, 20)])
    down = split_test([Variant("B", 130, 20), Variant("A", 120, 30)])
    assert up.statistic is not None and down.statistic is not None
    assert up.statistic == pytest.approx(-down.statistic)
    assert up.p_value == pytest.approx(down.p_value)


def test_a_small_difference_is_not_significant() -> None:
    result = split_test([Variant("A", 100, 10), Variant("B", 100, 12)])
    assert result.p_value is not None and result.p_value > 0.5
    assert not result.significant()


def test_three_variants_use_pearsons_chi_square() -> None:
    variants = [Variant("A", 100, 10), Variant("B", 100, 20), Variant("C", 100, 30)]
    result = split_test(variants)
    # by hand: 60 of 300 converted, so 20 expected per variant (80 not converted)
    expected = sum(
        (v.converted - 20) ** 2 / 20 + ((v.assigned - v.converted) - 80) ** 2 / 80 for v in variants
    )
    assert result.method == "chi-square"
    assert result.statistic == pytest.approx(expected)
    # with two degrees of freedom the chi-square survival function is exp(-x/2) exactly
    assert result.p_value == pytest.approx(math.exp(-expected / 2))


@pytest.mark.parametrize(
    "variants",
    [
        [Variant("A", 50, 0), Variant("B", 60, 0)],
        [Variant("A", 50, 50), Variant("B", 60, 60)],
        [Variant("A", 0, 0), Variant("B", 60, 6)],
        [Variant("A", 50, 0), Variant("B", 60, 0), Variant("C", 10, 0)],
    ],
)
def test_without_variance_the_test_is_undefined(variants: list[Variant]) -> None:
    result = split_test(variants)
    assert result.p_value is None and result.statistic is None
    assert not result.significant()


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and assigned"):
        split_test([Variant("A", 10, 11), Variant("B", 10, 1)])
    with pytest.raises(ValueError, match="at least two"):
        split_test([Variant("A", 10, 1)])


def test_variant_rates() -> None:
    assert Variant("A", 8, 2).rate == 0.25
    assert Variant("A", 0, 0).rate is None


def test_without_split_assignments_the_section_says_none_was_recorded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    Base.metadata.create_all(engine)
    try:
        report = build_report(engine, Scope("sqlite", datetime(2026, 3, 1, tzinfo=UTC)))
    finally:
        engine.dispose()
    assert report.splits == []
    assert split_table(report) == "A/B splits: no A/B splits recorded"
