"""The numbers on a chart, taken from a report so the chart and ``nurture report`` agree.

Per step: entered (visits), sent, failed, delivered, opened, clicked, goal reached and
exited, summed over the report's cohorts; the entry shows the enrollments and the end the
contacts that walked off the last step. Per edge: the moves contacts made along it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nurture.charts.model import END, ENTRY, GOALS, Chart
from nurture.reports import steps
from nurture.reports.journeys import JourneyRow, StepRow
from nurture.reports.steps import MoveRow, VisitRow

SEND_METRICS = ("sent", "delivered", "opened", "clicked", "failed")


class Figures(Protocol):
    """What a chart needs of a report (a whole :class:`~nurture.reports.build.Report` will do)."""

    @property
    def journeys(self) -> Sequence[JourneyRow]: ...
    @property
    def steps(self) -> Sequence[StepRow]: ...
    @property
    def visits(self) -> Sequence[VisitRow]: ...
    @property
    def moves(self) -> Sequence[MoveRow]: ...


@dataclass(frozen=True)
class JourneyFigures:
    journeys: list[JourneyRow]
    steps: list[StepRow]
    visits: list[VisitRow]
    moves: list[MoveRow]


@dataclass(frozen=True)
class Counts:
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)
    edges: dict[tuple[str, str], int] = field(default_factory=dict)
    caption: str = ""


def counts_of(report: Figures, chart: Chart, caption: str = "") -> Counts:
    nodes: dict[str, Counter[str]] = {n.id: Counter() for n in chart.nodes}
    for row in report.journeys:
        if row.journey == chart.journey:
            nodes[ENTRY]["enrolled"] += row.enrolled
            nodes[ENTRY]["active"] += row.active
    for visit in report.visits:
        if visit.journey == chart.journey and visit.step in nodes:
            nodes[visit.step]["entered"] += visit.entered
    for step in report.steps:
        if step.journey == chart.journey and step.step in nodes:
            nodes[step.step].update(step.counts)
    edges: Counter[tuple[str, str]] = Counter()
    for move in report.moves:
        if move.journey != chart.journey:
            continue
        source = ENTRY if move.source == steps.ENTRY else move.source
        target = END if move.target == steps.END else move.target
        edges[(source, target)] += move.contacts
    if END in nodes:
        nodes[END]["completed"] = sum(n for (_, target), n in edges.items() if target == END)
    if GOALS in nodes:
        nodes[GOALS]["goal"] = sum(nodes[n.id]["goal"] for n in chart.steps)
    known = {edge.key for edge in chart.edges}
    return Counts(
        nodes={key: dict(value) for key, value in nodes.items()},
        edges={key: n for key, n in edges.items() if key in known},
        caption=caption,
    )


def shown(kind: str, node_id: str) -> tuple[str, ...]:
    """The figures a node shows: every step entered, goal and exited; a send its email ones."""
    if node_id == ENTRY:
        return ("enrolled", "active")
    if node_id == END:
        return ("completed",)
    if node_id == GOALS:
        return ("goal",)
    if kind == "send":
        return ("entered", *SEND_METRICS, "goal", "exited")
    return ("entered", "goal", "exited")
