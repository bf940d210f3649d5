"""Run a scenario against a throwaway SQLite database and return its timeline."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from nurture.charts.counts import Counts
from nurture.charts.live import template_subjects, workspace_charts
from nurture.charts.model import Chart
from nurture.clock import ManualClock
from nurture.delivery.providers.memory import MemoryProvider
from nurture.engine.boot import open_runtime
from nurture.reports.scope import Scope
from nurture.settings import load_settings
from nurture.simulation.replay import replay
from nurture.simulation.scenario import Scenario
from nurture.simulation.timeline import Entry, read_timeline
from nurture.store import models
from nurture.store.db import make_engine
from nurture.store.models import Base


@dataclass(frozen=True)
class Simulation:
    scenario: Scenario
    entries: list[Entry]
    zones: dict[str, str]
    """Each contact's time zone (the workspace default when it has none), for display."""
    stages: dict[str, str]
    charts: list[tuple[Chart, Counts]] = field(default_factory=list)
    """Each journey's chart with the simulation's counts, for the HTML page."""

    def summary(self) -> Summary:
        sent = Counter(
            f"{e.data['journey']}/{e.data['step']}" for e in self.entries if e.kind == "sent"
        )
        return Summary(
            contacts=len(self.stages),
            emails=sum(sent.values()),
            emails_by_step=dict(sorted(sent.items())),
            stages=dict(sorted(Counter(self.stages.values()).items())),
            handoffs=sum(1 for e in self.entries if e.kind == "handoff"),
            suppressed=sum(1 for e in self.entries if e.kind == "suppressed"),
        )


@dataclass(frozen=True)
class Summary:
    contacts: int
    emails: int
    emails_by_step: dict[str, int]
    stages: dict[str, int]
    handoffs: int
    suppressed: int


def simulate(
    scenario: Scenario,
    workspace: Path,
    templates: Path | None = None,
    on_event: Callable[[], None] = lambda: None,
) -> Simulation:
    with tempfile.TemporaryDirectory(prefix="nurture-simulate-") as folder:
        url = f"sqlite:///{Path(folder) / 'simulation.db'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        clock = ManualClock(scenario.start)
        rt = open_runtime(
            load_settings(database_url=url, outbox_dir=Path(folder) / "outbox"),
            clock=clock,
            provider=MemoryProvider(keep=False),
            workspace=workspace,
            templates=templates,
        )
        try:
            replay(rt, clock, scenario, on_event)
            with rt.sessions() as session:
                entries = read_timeline(session)
                rows = session.execute(
                    select(models.Contact.email, models.Contact.timezone, models.Contact.stage)
                ).all()
            charts = workspace_charts(
                rt.engine,
                rt.workspace.journeys,
                Scope(rt.engine.dialect.name, clock.now()),
                template_subjects(templates or workspace / "templates"),
            )
        finally:
            rt.engine.dispose()
    default_zone = rt.workspace.timezone
    return Simulation(
        scenario=scenario,
        entries=entries,
        zones={email: zone or default_zone for email, zone, _ in rows},
        stages={email: stage for email, _, stage in rows},
        charts=charts,
    )
