"""Durations as marketers write them: ``2d``, ``36h``, ``1w 2d``, ``90m``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_PART = re.compile(r"(\d+)\s*([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_WHOLE = re.compile(r"^\s*(\d+\s*[wdhms]\s*)+$")
LONGEST = timedelta(days=36525)
"""A century: longer durations would only push moments past what a datetime can hold."""


def parse_duration(text: str) -> timedelta:
    """Parse ``"2d"`` style durations; raise ValueError with the accepted form otherwise."""
    if not _WHOLE.match(text):
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit (w, d, h, m, s), e.g. 2d or 1d 12h"
        )
    total = timedelta()
    try:
        for amount, unit in _PART.findall(text):
            total += timedelta(**{_UNITS[unit]: int(amount)})
    except OverflowError:
        total = timedelta.max
    if total > LONGEST:
        raise ValueError(f"{text!r} is longer than a century: give at most 36525d")
    if total <= timedelta():
        raise ValueError(f"{text!r} must be longer than zero")
    return total


def later(moment: datetime, delta: timedelta, times: int = 1) -> datetime | None:
    """``moment + delta * times``, or None when that lies beyond what a datetime can hold."""
    try:
        return moment + delta * times
    except OverflowError:
        return None


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) or "0s"
