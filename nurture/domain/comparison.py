"""The one comparison language of fit rules and journey conditions: a value against a test.

A fit rule (``scoring.yaml``) and a condition's ``score`` or ``attribute`` (a journey) both test
one value with one of :data:`OPS`, and both come here, so the same test gives the same answer
in both places. docs/scoring.md states these rules for marketers:

- **Missing**: no value, or text that is empty or only spaces. A missing value passes only
  ``not_in`` and ``exists: false``; every other test fails.
- **Numbers**: an int, a float, or text spelling a decimal number (``"50"``, ``" -2.5 "``)
  compare as numbers, so ``50`` equals ``"50"`` and ``"50.0"``.
- **Text**: compared without regard to case or surrounding spaces; ``true`` and ``false``
  equal the text ``"true"`` and ``"false"``.
- **Order** (``gt``, ``gte``, ``lt``, ``lte``, ``between``) holds only for a number;
  ``between: [low, high]`` includes ``low`` and excludes ``high``.
- ``matches`` is a regular expression searched in the value's text, ignoring case.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any, Literal, get_args

Op = Literal["equals", "in", "not_in", "gt", "gte", "lt", "lte", "between", "matches", "exists"]
OPS: tuple[Op, ...] = get_args(Op)
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte", "between"})
"""Tests that only a number can pass."""

NUMBER_FIELDS = frozenset({"company_size", "score"})
TEXT_FIELDS = frozenset(
    {"email", "first_name", "last_name", "job_title", "company", "industry", "country"}
    | {"timezone", "source", "email_domain"}
)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def compare(actual: Any, op: Op, value: Any) -> bool:
    """Whether ``actual`` passes the test ``op`` with ``value``; never raises on odd data."""
    if op == "exists":
        return (not is_missing(actual)) is bool(value)
    if is_missing(actual):
        return op == "not_in"
    if op == "equals":
        return _key(actual) == _key(value)
    if op in ("in", "not_in"):
        found = _key(actual) in {_key(v) for v in value}
        return found if op == "in" else not found
    if op == "matches":
        return re.search(str(value), text(actual), re.IGNORECASE) is not None
    number = as_number(actual)
    if number is None:
        return False
    if op == "between":
        low, high = value
        return float(low) <= number < float(high)
    limit = float(value)
    return {
        "gt": number > limit,
        "gte": number >= limit,
        "lt": number < limit,
        "lte": number <= limit,
    }[op]


def mismatch(field: str, op: str) -> str | None:
    """Why ``op`` suits no value of a known profile field (a number test on text), or None."""
    if op in ORDER_OPS and field in TEXT_FIELDS:
        return f"'{field}' is text: compare it with equals, in, not_in, matches or exists"
    if op == "matches" and field in NUMBER_FIELDS:
        return f"'{field}' is a number: compare it with gt, gte, lt, lte, between or equals"
    return None


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_number(value: Any) -> float | None:
    """The value as a finite number, if it is one or is text spelling one; else None."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not (numeric or (isinstance(value, str) and _DECIMAL.fullmatch(value.strip()))):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def text(value: Any) -> str:
    """The value as a marketer would write it: ``true``, ``50`` (not ``50.0``), ``SaaS``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(field: str, op: Op, value: Any) -> str:
    """The test in words, for explanations: ``company_size from 50 to under 1000``."""
    if op == "between":
        low, high = value
        return f"{field} from {text(low)} to under {text(high)}"
    if op == "exists":
        return f"{field} {'is given' if value else 'is missing'}"
    shown = ", ".join(map(text, value)) if isinstance(value, list | tuple) else text(value)
    return f"{field} {op.replace('_', ' ')} {shown}"


def matches_where(properties: Mapping[str, Any], where: Mapping[str, str]) -> bool:
    """Every ``where`` glob matches its property's text (case-insensitive); empty matches all."""
    for key, pattern in where.items():
        value = properties.get(key)
        if value is None or not fnmatchcase(text(value).lower(), pattern.lower()):
            return False
    return True


def _key(value: Any) -> float | str:
    number = as_number(value)
    return number if number is not None else text(value).strip().casefold()
