"""Generated contacts and engagement for the benchmarks: deterministic for a seed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nurture.formats import ContactIn, EventIn

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_TITLES = [
    "CEO",
    "CMO",
    "VP Marketing",
    "Head of Analytics",
    "Data Analyst",
    "Student",
    "Consultant",
]
_SIZES = [5, 12, 40, 80, 250, 1200]
_ACTIONS = [
    (0.50, "page_viewed", {"url": "/blog/kpis"}),
    (0.20, "page_viewed", {"url": "/pricing"}),
    (0.15, "content_downloaded", {"content_type": "ebook", "title": "Three dashboards"}),
    (0.10, "webinar_attended", {"webinar": "data-basics"}),
    (0.05, "demo_requested", {"form": "demo"}),
]


def email_of(index: int) -> str:
    domain = "gmail.com" if index % 5 == 0 else f"company{index % 997}.example"
    return f"person{index}@{domain}"


def contacts(count: int, seed: int = 7) -> list[ContactIn]:
    rng = random.Random(seed)
    return [
        ContactIn(
            email=email_of(i),
            first_name=f"Person{i}",
            last_name="Example",
            job_title=rng.choice(_TITLES),
            company=f"Company {i % 997}",
            company_size=rng.choice(_SIZES),
            industry=rng.choice(["retail", "software", "finance"]),
            country="SI",
            timezone="Europe/Ljubljana",
            source="search",
        )
        for i in range(count)
    ]


def engagement(contacts: int, days: int, per_contact: float = 4.0, seed: int = 7) -> list[EventIn]:
    """Each contact subscribes in the first third of ``days``, then acts now and then."""
    rng = random.Random(seed)
    end = START + timedelta(days=days)
    found: list[EventIn] = []
    for i in range(contacts):
        at = START + timedelta(minutes=rng.randrange(days * 1440 // 3))
        found.append(_event(i, 0, "subscribed", at, {"form": "newsletter"}))
        for n in range(1, 1 + int(rng.expovariate(1 / per_contact))):
            at += timedelta(minutes=rng.randrange(1, days * 1440 // 4))
            if at >= end:
                break
            kind, properties = _pick(rng.random())
            found.append(_event(i, n, kind, at, properties))
    found.sort(key=lambda e: (e.at or START, e.id or ""))
    return found


def _pick(roll: float) -> tuple[str, dict[str, str]]:
    for share, kind, properties in _ACTIONS:
        if roll < share:
            return kind, properties
        roll -= share
    return _ACTIONS[0][1], _ACTIONS[0][2]


def _event(index: int, n: int, kind: str, at: datetime, properties: dict[str, str]) -> EventIn:
    return EventIn(
        id=f"bench-{index}-{n}", email=email_of(index), type=kind, at=at, properties=properties
    )


def events_for(count: int, seed: int = 7) -> list[EventIn]:
    """At most ``count`` events of ``count // 3`` contacts over 28 days, in time order."""
    return engagement(max(1, count // 3), 28, seed=seed)[:count]


def write_jsonl(path: Path, count: int, seed: int = 7) -> None:
    """``count`` events as an import file, written without holding them all in memory."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            kind, properties = _pick(rng.random())
            at = START + timedelta(seconds=n * 7)
            line = {
                "id": f"imp-{n}",
                "email": email_of(rng.randrange(max(1, count // 5))),
                "type": kind,
                "at": at.isoformat(),
                "properties": properties,
            }
            out.write(json.dumps(line) + "\n")


def chunks(items: list[EventIn], size: int) -> Iterator[list[EventIn]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
