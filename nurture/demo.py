"""The demo: about 200 example contacts and a few weeks of their engagement, replayed on a
manual clock through the real engine. The same seed gives the same run."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from nurture.clock import ManualClock
from nurture.domain.lifecycle import ALL_STAGES
from nurture.engine.queries import (
    contacts_by_stage,
    handoffs_by_owner,
    holds_contacts,
    sent_by_step,
)
from nurture.engine.runtime import Runtime
from nurture.errors import NurtureError
from nurture.formats import ContactIn, EventIn
from nurture.simulation.replay import replay
from nurture.simulation.scenario import Scenario
from nurture.store.db import clear_all

DEMO_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

_FIRST = [
    "Ana",
    "Luka",
    "Maja",
    "Jan",
    "Nina",
    "Marko",
    "Eva",
    "Tim",
    "Sara",
    "David",
    "Lea",
    "Nejc",
    "Zala",
    "Rok",
    "Tina",
    "Miha",
    "Petra",
    "Jure",
    "Katja",
    "Matej",
]
_LAST = [
    "Novak",
    "Horvat",
    "Kovač",
    "Krajnc",
    "Zupan",
    "Potočnik",
    "Mlakar",
    "Vidmar",
    "Kos",
    "Golob",
    "Turk",
    "Božič",
    "Kralj",
    "Zajc",
    "Hribar",
]
# (title, how much such a person engages)
_TITLES = [
    ("CEO", 0.8),
    ("CMO", 1.0),
    ("Chief Data Officer", 1.0),
    ("VP Marketing", 1.1),
    ("Head of Analytics", 1.2),
    ("Director of Sales", 0.9),
    ("Marketing Manager", 1.0),
    ("Data Analyst", 1.3),
    ("Growth Marketer", 1.1),
    ("Student", 1.4),
    ("Consultant", 0.7),
]
_INDUSTRIES = ["retail", "manufacturing", "software", "finance", "healthcare", "logistics"]
_PLACES = [
    ("SI", "Europe/Ljubljana"),
    ("DE", "Europe/Berlin"),
    ("GB", "Europe/London"),
    ("US", "America/New_York"),
    ("US", "America/Los_Angeles"),
    ("AT", "Europe/Vienna"),
]
_SOURCES = ["search", "social", "referral", "event"]
_FREE_MAIL = ["gmail.com", "outlook.com"]


@dataclass(frozen=True)
class DemoData:
    contacts: list[ContactIn]
    events: list[EventIn]


def generate(seed: int, contacts: int = 200, days: int = 28) -> DemoData:
    rng = random.Random(seed)
    people: list[ContactIn] = []
    events: list[EventIn] = []
    for index in range(contacts):
        title, appetite = rng.choice(_TITLES)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        company = f"{rng.choice(_LAST)} {rng.choice(['Foods', 'Tech', 'Logistics', 'Group'])}"
        domain = (
            rng.choice(_FREE_MAIL)
            if rng.random() < 0.2
            else company.lower()
            .replace(" ", "")
            .replace("č", "c")
            .replace("ž", "z")
            .replace("š", "s")
            + ".example"
        )
        country, zone = rng.choice(_PLACES)
        email = f"{_ascii(first)}.{_ascii(last)}.{index}@{domain}".lower()
        people.append(
            ContactIn(
                email=email,
                first_name=first,
                last_name=last,
                job_title=title,
                company=company,
                company_size=rng.choice([5, 12, 40, 80, 250, 1200]),
                industry=rng.choice(_INDUSTRIES),
                country=country,
                timezone=zone,
                source=rng.choice(_SOURCES),
            )
        )
        events += _engagement(rng, email, index, appetite * rng.uniform(0.2, 1.6), days)
    events.sort(key=lambda e: (e.at or DEMO_START, e.id or ""))
    return DemoData(people, events)


def _engagement(
    rng: random.Random, email: str, index: int, interest: float, days: int
) -> list[EventIn]:
    joined = DEMO_START + timedelta(
        days=rng.randrange(min(days, 14)), hours=rng.randrange(0, 12), minutes=rng.randrange(60)
    )
    found: list[EventIn] = []

    def add(at: datetime, kind: str, **properties: object) -> None:
        found.append(
            EventIn(
                id=f"demo-{index}-{len(found)}",
                email=email,
                type=kind,
                at=at,
                properties=properties,
            )
        )

    add(joined, "subscribed", form="newsletter")
    at = joined
    end = DEMO_START + timedelta(days=days)
    actions: list[tuple[float, Callable[[datetime], None]]] = [
        (
            0.45,
            lambda t: add(
                t, "page_viewed", url=rng.choice(["/blog/kpis", "/blog/etl", "/features"])
            ),
        ),
        (
            0.18,
            lambda t: add(
                t,
                "content_downloaded",
                content_type=rng.choice(["ebook", "whitepaper"]),
                title="Three dashboards",
            ),
        ),
        (0.15, lambda t: add(t, "page_viewed", url="/pricing")),
        (0.08, lambda t: add(t, "webinar_attended", webinar="data-basics")),
        (0.04, lambda t: add(t, "demo_requested", form="demo")),
    ]
    while True:
        at += timedelta(hours=rng.expovariate(interest / 80))
        if at >= end:
            return found
        roll = rng.random()
        for share, action in actions:
            if roll < share:
                action(at)
                break
            roll -= share


def _ascii(name: str) -> str:
    return name.translate(str.maketrans("čšžČŠŽ", "cszCSZ"))


def run_demo(
    rt: Runtime,
    clock: ManualClock,
    outbox: Path,
    *,
    seed: int,
    contacts: int,
    days: int,
    reset: bool,
    progress: Progress,
) -> None:
    """Import the generated contacts, then replay their events at their own times."""
    if reset:
        clear_all(rt.engine)
        for old in outbox.glob("*.eml"):
            old.unlink()
        from nurture.engine.journeys import publish_journeys

        publish_journeys(rt)
    else:
        if holds_contacts(rt):
            raise NurtureError(
                "the database already holds contacts: run the demo with "
                "--reset (it empties the database) or point "
                "NURTURE_DATABASE_URL at a new file"
            )
    data = generate(seed, contacts, days)
    task = progress.add_task(f"{days} days of engagement", total=len(data.events))
    scenario = Scenario(DEMO_START, days, data.contacts, data.events)
    replay(rt, clock, scenario, on_event=lambda: progress.advance(task))


def print_summary(rt: Runtime, console: Console, outbox: Path) -> None:
    title = "Emails sent per journey step"
    emails = Table(title=title, min_width=len(title))
    for column in ("journey", "step", "sent"):
        emails.add_column(column, justify="right" if column == "sent" else "left")
    for journey, step, count in sent_by_step(rt):
        emails.add_row(journey, step, str(count))
    console.print(emails)

    title = "Contacts per lifecycle stage"
    stages = Table(title=title, min_width=len(title))
    stages.add_column("stage")
    stages.add_column("contacts", justify="right")
    counts = contacts_by_stage(rt)
    for stage in ALL_STAGES:
        if counts.get(stage):
            stages.add_row(stage, str(counts[stage]))
    console.print(stages)

    owners = handoffs_by_owner(rt)
    console.print(
        f"MQLs handed off to sales: {sum(owners.values())}"
        + "".join(f"\n  {owner}: {n}" for owner, n in owners.items())
    )
    files = len(list(outbox.glob("*.eml")))
    console.print(f"Outbox: {files} .eml files in {outbox.resolve()}")
