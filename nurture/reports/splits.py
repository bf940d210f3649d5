"""A/B/n split results: conversion per variant and whether the difference is significant.

Assignments are read from ``split_assignments``, where the executor records the variant of
each enrollment at each split step (engine/splits.py). A contact converted when its
enrollment exited with its goal reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nurture.reports.scope import Scope
from nurture.store.statements.reports.splits import conversions_per_variant


@dataclass(frozen=True)
class Variant:
    name: str
    assigned: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.assigned if self.assigned else None


@dataclass(frozen=True)
class SplitTest:
    """A test of "every variant converts at the same rate"; ``p_value`` None when undefined."""

    variants: tuple[Variant, ...]
    method: str
    statistic: float | None
    p_value: float | None

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value is not None and self.p_value < alpha


def split_test(variants: Sequence[Variant]) -> SplitTest:
    """Two variants: the pooled two-proportion z-test; more: Pearson's chi-square test.

    Both are undefined (p None) when a variant has no assignments or when every contact
    converted, or none did: there is no variance to test against.
    """
    found = tuple(variants)
    if len(found) < 2:
        raise ValueError("a split test needs at least two variants")
    for v in found:
        if v.assigned < 0 or not 0 <= v.converted <= v.assigned:
            raise ValueError(f"variant {v.name!r}: converted must be between 0 and assigned")
    assigned = sum(v.assigned for v in found)
    converted = sum(v.converted for v in found)
    degenerate = any(v.assigned == 0 for v in found) or converted in (0, assigned)
    if len(found) == 2:
        if degenerate:
            return SplitTest(found, "two-proportion z-test", None, None)
        a, b = found
        pooled = converted / assigned
        error = math.sqrt(pooled * (1 - pooled) * (1 / a.assigned + 1 / b.assigned))
        z = ((b.converted / b.assigned) - (a.converted / a.assigned)) / error
        return SplitTest(found, "two-proportion z-test", z, math.erfc(abs(z) / math.sqrt(2)))
    if degenerate:
        return SplitTest(found, "chi-square", None, None)
    from scipy.stats import chi2_contingency

    table = [[v.converted, v.assigned - v.converted] for v in found]
    result = chi2_contingency(table, correction=False)
    return SplitTest(found, "chi-square", float(result.statistic), float(result.pvalue))


@dataclass(frozen=True)
class SplitResult:
    cohort: str
    journey: str
    step: str
    test: SplitTest


def splits(connection: Connection, scope: Scope) -> list[SplitResult]:
    """One test per split step (none when no split was recorded in the range)."""
    grouped: dict[tuple[str, str, str], list[Variant]] = {}
    for r in connection.execute(conversions_per_variant(scope)):
        key = (r.cohort, r.journey_id, r.step_id)
        grouped.setdefault(key, []).append(Variant(r.variant, int(r.assigned), int(r.converted)))
    return [
        SplitResult(cohort, journey, step, split_test(variants))
        if len(variants) > 1
        else SplitResult(
            cohort, journey, step, SplitTest(tuple(variants), "one variant", None, None)
        )
        for (cohort, journey, step), variants in grouped.items()
    ]
