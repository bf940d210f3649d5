"""Charts of what is published, with the numbers of the database: for ``nurture journeys
draw --stats``, ``nurture simulate --html`` and the console. The counts are the rows of
:func:`nurture.reports.build.build_report`'s journey and step sections, run on their own (the
same statements, so the chart and ``nurture report`` agree)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from nurture.charts.counts import Counts, JourneyFigures, counts_of
from nurture.charts.model import Chart, chart_of
from nurture.definitions.journey_schema import JourneySpec
from nurture.definitions.journeys import journey_from_spec
from nurture.domain.journeys import Journey
from nurture.reports import journeys as journey_report
from nurture.reports.scope import Scope
from nurture.reports.steps import StoredVersion, versions, visits_and_moves


def template_subjects(folder: Path) -> dict[str, str]:
    """Each template's default subject line (``NAME.subject``), to show on send steps."""
    if not folder.is_dir():
        return {}
    return {
        path.stem: " ".join(path.read_text(encoding="utf-8").split())
        for path in sorted(folder.glob("*.subject"))
    }


def stored_versions(engine: Engine, journey_id: str | None = None) -> list[StoredVersion]:
    with engine.connect() as connection:
        return versions(connection, journey_id)


def stored_chart(stored: StoredVersion, subjects: dict[str, str] | None = None) -> Chart:
    journey = journey_from_spec(JourneySpec.model_validate(stored.definition))
    return chart_of(journey, subjects, stored.version)


def journey_figures(engine: Engine, scope: Scope) -> JourneyFigures:
    """The report's journey, step, visit and move rows: what a chart shows, and only that."""
    with engine.connect() as connection:
        visits, moves = visits_and_moves(connection, scope)
        return JourneyFigures(
            journeys=journey_report.journeys(connection, scope),
            steps=journey_report.steps(connection, scope),
            visits=visits,
            moves=moves,
        )


def live_counts(engine: Engine, chart: Chart, scope: Scope) -> Counts:
    since = f"since {scope.since:%Y-%m-%d %H:%M}" if scope.since else "from the start"
    until = (
        f"until {scope.until:%Y-%m-%d %H:%M}"
        if scope.until
        else f"as of {scope.as_of:%Y-%m-%d %H:%M} UTC"
    )
    return counts_of(journey_figures(engine, scope), chart, f"contacts enrolled {since} {until}")


def workspace_charts(
    engine: Engine, journeys: Sequence[Journey], scope: Scope, subjects: dict[str, str]
) -> list[tuple[Chart, Counts]]:
    """Every journey of a workspace with the database's counts (a simulation's, say)."""
    report = journey_figures(engine, scope)
    charts = [chart_of(journey, subjects) for journey in journeys]
    return [(chart, counts_of(report, chart, "simulated")) for chart in charts]
