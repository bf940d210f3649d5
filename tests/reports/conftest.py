"""A known dataset for the report tests, and the same numbers counted directly in Python.

The engine (the Harness) creates contacts, leads, MQLs, handoffs and journey emails; the
stages sales would record (SAL, SQL, opportunity, customer, recycled, disqualified),
their handoff answers, provider email events and split assignments are inserted directly,
since this branch has no engine path to them yet.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from nurture.clock import ManualClock
from nurture.domain.lifecycle import FUNNEL
from nurture.reports.scope import Scope
from nurture.store import models
from nurture.store.db import make_engine
from nurture.store.models import Base
from nurture.testing import Harness, make_harness

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _story(n: Harness) -> None:
    """Two monthly cohorts of contacts walking through the example workspace."""
    n.contact(
        "ana@acme.example",
        job_title="CMO",
        company_size=250,
        source="search",
        attributes={"campaign": "spring-webinar"},
    )
    n.contact("ben@beta.example", job_title="VP Marketing", company_size=80, source="social")
    n.contact("cat@gmail.com", job_title="Student", source="referral")
    n.contact("dan@delta.example", job_title="Director", company_size=1200, source="event")
    n.emit("ana@acme.example", "subscribed", form="newsletter")
    n.emit("ben@beta.example", "subscribed", form="newsletter")
    n.emit("cat@gmail.com", "subscribed", form="newsletter")
    n.advance(hours=5)
    n.emit("dan@delta.example", "page_viewed", url="/features", utm_campaign="launch")
    n.emit("dan@delta.example", "subscribed", form="newsletter")
    n.emit("ana@acme.example", "demo_requested", form="demo")
    n.emit("ana@acme.example", "page_viewed", url="/pricing")
    n.advance(days=1, hours=3)
    n.emit("ben@beta.example", "page_viewed", url="/pricing")
    n.emit("ben@beta.example", "demo_requested", form="demo")
    n.advance(days=3)
    n.emit("dan@delta.example", "demo_requested", form="demo")
    n.emit("dan@delta.example", "webinar_attended", webinar="data-basics", utm_campaign="webinar")
    n.advance(days=35)
    n.contact("eve@echo.example", job_title="CEO", company_size=40, source="search")
    n.contact("fay@foxtrot.example", job_title="Data Analyst")
    n.contact("gus@golf.example", job_title="Consultant", source="social")
    n.emit("eve@echo.example", "subscribed", form="newsletter")
    n.emit("fay@foxtrot.example", "content_downloaded", content_type="ebook", title="KPIs")
    n.advance(days=2, hours=7)
    n.emit("eve@echo.example", "demo_requested", form="demo")
    n.emit("eve@echo.example", "webinar_attended", webinar="data-basics")
    n.emit("eve@echo.example", "page_viewed", url="/pricing")
    n.advance(days=10)


def _sales_feedback(engine: Engine) -> None:
    """What sales and the email provider would record, inserted directly."""
    with engine.begin() as connection:
        contacts = {
            c.email.split("@")[0]: c for c in connection.execute(select(models.Contact.__table__))
        }
        mql_at = {
            contacts_id: at
            for contacts_id, at in connection.execute(
                select(models.StageChange.contact_id, models.StageChange.at).where(
                    models.StageChange.to_stage == "mql"
                )
            )
        }
        history = models.StageChange.__table__
        contact_table = models.Contact.__table__
        handoffs = models.Handoff.__table__

        def move(name: str, *steps: tuple[str, str, timedelta]) -> None:
            contact = contacts[name]
            at = mql_at.get(contact.id, contact.created_at)
            stage = contact.stage
            for to_stage, cause, after in steps:
                at = at + after
                connection.execute(
                    history.insert().values(
                        contact_id=contact.id,
                        from_stage=stage,
                        to_stage=to_stage,
                        cause=cause,
                        at=at,
                    )
                )
                stage = to_stage
            connection.execute(
                contact_table.update().where(contact_table.c.id == contact.id).values(stage=stage)
            )

        def answer(name: str, status: str, after: timedelta, reason: str | None = None) -> None:
            contact = contacts[name]
            connection.execute(
                handoffs.update()
                .where(handoffs.c.contact_id == contact.id)
                .values(status=status, responded_at=mql_at[contact.id] + after, reason=reason)
            )

        move(
            "ana",
            ("sal", "sales accepted", timedelta(hours=2)),
            ("sql", "BANT qualified", timedelta(days=3)),
            ("customer", "closed won", timedelta(days=10)),
        )
        answer("ana", "accepted", timedelta(hours=2))
        move("ben", ("recycled", "rejected: no budget", timedelta(hours=20)))
        answer("ben", "rejected", timedelta(hours=20), "no budget")
        move(
            "dan",
            ("sal", "sales accepted", timedelta(hours=6)),
            ("sql", "BANT qualified", timedelta(days=2)),
            ("opportunity", "proposal sent", timedelta(days=4)),
        )
        answer("dan", "accepted", timedelta(hours=6))
        move("fay", ("disqualified", "disqualified: competitor", timedelta(days=1)))

        messages = {
            (m.contact_id, m.step_id): m
            for m in connection.execute(select(models.Message.__table__))
        }
        events = models.Event.__table__
        count = 0

        def email_event(name: str, step: str, kind: str, **extra: Any) -> None:
            nonlocal count
            count += 1
            message = messages[(contacts[name].id, step)]
            at = message.sent_at + timedelta(hours=count)
            connection.execute(
                events.insert().values(
                    source_id=f"provider-{count}",
                    contact_id=contacts[name].id,
                    type=kind,
                    properties={
                        "message_id": message.uid,
                        "journey": message.journey_id,
                        "step": step,
                        **extra,
                    },
                    occurred_at=at,
                    received_at=at,
                )
            )

        email_event("ana", "welcome", "email_delivered")
        email_event("ana", "welcome", "email_opened")
        email_event("ana", "welcome", "email_opened")
        email_event("ana", "welcome", "email_clicked", url="https://acme.example/kpis")
        email_event("ben", "welcome", "email_delivered")
        email_event("ben", "welcome", "email_opened", machine_open=True)
        email_event("cat", "getting-started", "email_delivered")
        email_event("cat", "getting-started", "email_opened", machine_open=False)
        email_event("fay", "related-content", "email_delivered")

        for i, e in enumerate(
            connection.execute(select(models.Enrollment.__table__).order_by("id"))
        ):
            connection.execute(
                models.SplitAssignment.__table__.insert().values(
                    enrollment_id=e.id,
                    contact_id=e.contact_id,
                    journey_id=e.journey_id,
                    step_id="welcome",
                    variant="AB"[i % 2],
                    assigned_at=e.enrolled_at,
                )
            )


@dataclass(frozen=True)
class Known:
    url: str
    now: datetime
    start: datetime = START


@pytest.fixture(scope="session")
def known_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Known]:
    """The known dataset in a SQLite file, built once for the session."""
    home = tmp_path_factory.mktemp("known")
    clock = ManualClock(START)
    harness = make_harness(home, clock, ROOT / "example", ROOT / "example" / "templates")
    _story(harness)
    _sales_feedback(harness.runtime.engine)
    harness.runtime.engine.dispose()
    yield Known(f"sqlite:///{home / 'nurture.db'}", clock.now())


def copy_database(source_url: str, target_url: str) -> None:
    """Every row of the known dataset, copied table by table."""
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        Base.metadata.create_all(target)
        with source.connect() as reading, target.begin() as writing:
            for table in Base.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in reading.execute(select(table))]
                if rows:
                    writing.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()


# ---- the oracle: the same numbers, counted contact by contact in Python ----


def _period(moment: datetime, unit: str | None) -> str:
    if unit is None:
        return "all"
    if unit == "month":
        return moment.strftime("%Y-%m")
    return (moment.date() - timedelta(days=moment.weekday())).isoformat()


def _inside(moment: datetime, scope: Scope) -> bool:
    return (scope.since is None or moment >= scope.since) and (
        scope.until is None or moment < scope.until
    )


def _rank(stage: str) -> int | None:
    return FUNNEL.index(stage) if stage in FUNNEL else None


class Direct:
    """Raw rows of every table, and each report number counted from them."""

    def __init__(self, url: str) -> None:
        engine = make_engine(url)
        with engine.connect() as c:
            self.contacts = list(c.execute(select(models.Contact.__table__)))
            self.history = list(c.execute(select(models.StageChange.__table__)))
            self.events = list(c.execute(select(models.Event.__table__)))
            self.messages = list(c.execute(select(models.Message.__table__)))
            self.enrollments = list(c.execute(select(models.Enrollment.__table__)))
            self.handoffs = list(c.execute(select(models.Handoff.__table__)))
            self.assignments = list(c.execute(select(models.SplitAssignment.__table__)))
        engine.dispose()
        self.by_id = {c.id: c for c in self.contacts}

    def cohort(self, contact_id: int, scope: Scope) -> str:
        return _period(self.by_id[contact_id].created_at, scope.cohort)

    def top(self, contact: Any) -> int:
        ranks = [_rank(h.to_stage) for h in self.history if h.contact_id == contact.id]
        ranks.append(_rank(contact.stage))
        return max(r for r in ranks if r is not None)

    def funnel(self, scope: Scope, dimension: Any = None) -> dict[tuple[str, str], dict[str, int]]:
        found: dict[tuple[str, str], dict[str, int]] = {}
        for c in self.contacts:
            if not _inside(c.created_at, scope):
                continue
            key = (self.cohort(c.id, scope), dimension(c) if dimension else "")
            counts = found.setdefault(key, dict.fromkeys(FUNNEL, 0))
            for rank in range(self.top(c) + 1):
                counts[FUNNEL[rank]] += 1
        return found

    def campaign(self, contact: Any) -> str:
        if contact.attributes.get("campaign"):
            return str(contact.attributes["campaign"])
        touches = sorted(
            (e.occurred_at, e.id, e.properties["utm_campaign"])
            for e in self.events
            if e.contact_id == contact.id and e.properties.get("utm_campaign") is not None
        )
        return str(touches[0][2]) if touches else "(none)"

    def over_time(self, scope: Scope) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for c in self.contacts:
            if not _inside(c.created_at, scope):
                continue
            rows = [h for h in self.history if h.contact_id == c.id]
            for rank in range(1, len(FUNNEL)):
                times = [h.at for h in rows if (_rank(h.to_stage) or -1) >= rank]
                if times:
                    period = _period(min(times), scope.cohort or "week")
                    counts = found.setdefault(period, dict.fromkeys(FUNNEL[1:], 0))
                    counts[FUNNEL[rank]] += 1
        return found

    def stage_times(self, scope: Scope) -> dict[tuple[str, str], tuple[float, int]]:
        stays: dict[tuple[str, str], list[float]] = defaultdict(list)
        for c in self.contacts:
            if not _inside(c.created_at, scope):
                continue
            rows = sorted(
                (h for h in self.history if h.contact_id == c.id), key=lambda h: (h.at, h.id)
            )
            for here, after in pairwise(rows):
                stays[(self.cohort(c.id, scope), here.to_stage)].append(
                    (after.at - here.at).total_seconds()
                )
            mqls = [h.at for h in rows if h.to_stage == "mql"]
            if mqls:
                stays[(self.cohort(c.id, scope), "time to mql")].append(
                    (min(mqls) - c.created_at).total_seconds()
                )
        return {k: (statistics.median(v), len(v)) for k, v in stays.items()}

    def journeys(self, scope: Scope) -> dict[tuple[str, str], tuple[int, ...]]:
        found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for e in self.enrollments:
            if not _inside(e.enrolled_at, scope):
                continue
            counts = found[(self.cohort(e.contact_id, scope), e.journey_id)]
            counts["enrolled"] += 1
            goal = (e.exit_reason or "").startswith("goal reached:")
            kind = "goal" if e.status == "exited" and goal else e.status
            counts[kind] += 1
        return {
            k: tuple(v[n] for n in ("enrolled", "active", "completed", "goal", "exited"))
            for k, v in found.items()
        }

    def steps(self, scope: Scope) -> dict[tuple[str, str, str], dict[str, int]]:
        found: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        for m in self.messages:
            if m.journey_id and _inside(m.created_at, scope):
                found[(self.cohort(m.contact_id, scope), m.journey_id, m.step_id)][m.status] += 1
        seen: set[tuple[str, str]] = set()
        for e in self.events:
            p = e.properties
            if (
                not e.type.startswith("email_")
                or "journey" not in p
                or not _inside(e.occurred_at, scope)
            ):
                continue
            if e.type == "email_opened" and p.get("machine_open") is True:
                continue
            metric = {
                "email_delivered": "delivered",
                "email_opened": "opened",
                "email_clicked": "clicked",
            }[e.type]
            if (metric, p["message_id"]) in seen:
                continue
            seen.add((metric, p["message_id"]))
            found[(self.cohort(e.contact_id, scope), p["journey"], p["step"])][metric] += 1
        for e in self.enrollments:
            if e.status == "exited" and e.current_step and _inside(e.enrolled_at, scope):
                goal = (e.exit_reason or "").startswith("goal reached:")
                found[(self.cohort(e.contact_id, scope), e.journey_id, e.current_step)][
                    "goal" if goal else "exited"
                ] += 1
        names = ("sent", "failed", "delivered", "opened", "clicked", "goal", "exited")
        return {k: {n: v[n] for n in names} for k, v in found.items()}

    def sla(self, scope: Scope) -> dict[tuple[str, str], tuple[int, ...]]:
        found: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for h in self.handoffs:
            if not _inside(h.created_at, scope):
                continue
            counts = found[(self.cohort(h.contact_id, scope), h.owner)]
            counts["handed"] += 1
            if h.responded_at is not None:
                counts["in_time" if h.responded_at <= h.sla_due_at else "late"] += 1
            else:
                counts["breached" if h.sla_due_at < scope.as_of else "open"] += 1
        names = ("handed", "in_time", "late", "breached", "open")
        return {k: tuple(v[n] for n in names) for k, v in found.items()}

    def reasons(self, scope: Scope) -> Counter[tuple[str, str, str]]:
        found: Counter[tuple[str, str, str]] = Counter()
        for h in self.handoffs:
            if _inside(h.created_at, scope):
                found[
                    (self.cohort(h.contact_id, scope), f"handoff {h.status}", h.reason or "")
                ] += 1
        for s in self.history:
            if s.to_stage in ("recycled", "disqualified") and _inside(s.at, scope):
                found[(self.cohort(s.contact_id, scope), s.to_stage, s.cause)] += 1
        return found

    def scores(
        self, scope: Scope
    ) -> tuple[dict[tuple[str, str, str], int], Counter[tuple[str, int]]]:
        bands: Counter[tuple[str, str, str]] = Counter()
        buckets: Counter[tuple[str, int]] = Counter()
        for c in self.contacts:
            if _inside(c.created_at, scope):
                bands[(self.cohort(c.id, scope), c.band, c.grade)] += 1
                buckets[(self.cohort(c.id, scope), (c.score // 10) * 10)] += 1
        return dict(bands), buckets

    def splits(self, scope: Scope) -> dict[tuple[str, str, str, str], tuple[int, int]]:
        enrollments = {e.id: e for e in self.enrollments}
        found: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for a in self.assignments:
            if not _inside(a.assigned_at, scope):
                continue
            counts = found[(self.cohort(a.contact_id, scope), a.journey_id, a.step_id, a.variant)]
            counts[0] += 1
            if (enrollments[a.enrollment_id].exit_reason or "").startswith("goal reached:"):
                counts[1] += 1
        return {k: (v[0], v[1]) for k, v in found.items()}


@pytest.fixture(scope="session")
def direct_counts() -> type[Direct]:
    """The oracle: ``direct_counts(url)`` reads every row and counts each number itself."""
    return Direct


@pytest.fixture(scope="session")
def copy_known() -> Any:
    """``copy_known(source_url, target_url)`` copies the known dataset to another database."""
    return copy_database
