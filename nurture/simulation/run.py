"""Run a scenario against a throwaway SQLite database (simulation/scratch.py) and return its
timeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nurture.charts.counts import Counts
from nurture.charts.live import template_subjects, workspace_charts
from nurture.charts.model import Chart
from nurture.clock import ManualClock
from nurture.reports.scope import Scope
from nurture.simulation.replay import replay
from nurture.simulation.runtime import simulation_runtime
from nurture.simulation.scenario import Scenario, check_names
from nurture.simulation.scratch import throwaway
from nurture.simulation.timeline import Entry, read_timeline
from nurture.store.statements import timeline as statements


@dataclass(frozen=True)
class Simulation:
    scenario: Scenario
    entries: list[Entry]
    zones: dict[str, str]
    """Each contact's time zone (the workspace default when it has none), for display."""
    stages: dict[str, str]
    problems: list[str] = field(default_factory=list)
    """What the replay could not do as written (see replay()), each naming its line."""
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
            reassigned=sum(1 for e in self.entries if e.kind == "reassigned"),
            escalated=sum(1 for e in self.entries if e.kind == "escalated"),
            suppressed=sum(1 for e in self.entries if e.kind == "suppressed"),
        )


@dataclass(frozen=True)
class Summary:
    contacts: int
    emails: int
    emails_by_step: dict[str, int]
    stages: dict[str, int]
    handoffs: int
    """New handoffs to sales (a contact handed off twice, after a recycle, counts twice)."""
    reassigned: int
    """SLA breaches that moved a handoff to the next rep."""
    escalated: int
    """SLA breaches told to the manager (or to nobody, when there is no one else)."""
    suppressed: int

    def handoff_text(self) -> str:
        return (
            f"{self.handoffs} handed off to sales ({self.reassigned} reassigned, "
            f"{self.escalated} escalated after an SLA breach)"
        )


def simulate(
    scenario: Scenario,
    workspace: Path,
    templates: Path | None = None,
    on_event: Callable[[], None] = lambda: None,
    *,
    charts: bool = False,
) -> Simulation:
    """Replay ``scenario`` on a throwaway database; ``charts`` draws the journeys too (for
    the HTML page)."""
    with throwaway() as (engine, folder):
        clock = ManualClock(scenario.start)
        rt = simulation_runtime(engine, folder, clock, workspace, templates)
        check_names(scenario, rt.workspace.journeys)
        problems = replay(rt, clock, scenario, on_event)
        with rt.sessions() as session:
            entries = read_timeline(session)
            rows = session.execute(statements.ZONES_AND_STAGES).all()
        drawn = (
            workspace_charts(
                rt.engine,
                rt.workspace.journeys,
                Scope(rt.engine.dialect.name, clock.now()),
                template_subjects(templates or workspace / "templates"),
            )
            if charts
            else []
        )
    default_zone = rt.workspace.timezone
    return Simulation(
        scenario=scenario,
        entries=entries,
        zones={email: zone or default_zone for email, zone, _ in rows},
        stages={email: stage for email, _, stage in rows},
        problems=problems,
        charts=drawn,
    )
