"""A chart as a self-contained SVG (system fonts, no network, no script), or an HTML page.

Every node carries ``data-node`` and ``data-kind``; every number carries ``data-metric``
(or, on an edge, ``data-source``/``data-target``) and ``data-value``, so a reader can hover
it and a test can check it against ``nurture report --json``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from nurture.charts.counts import Counts, shown
from nurture.charts.layout import Box, Layout, lay_out
from nurture.charts.model import Chart, Node

WIDTH = 260
PAD = 10
LINE = 16
CHARS = 38
PER_ROW = 3
COLOURS = {
    "entry": "#0f766e",
    "send": "#2563eb",
    "wait": "#6b7280",
    "wait_for": "#0891b2",
    "branch": "#d97706",
    "split": "#db2777",
    "update": "#7c3aed",
    "notify": "#4b5563",
    "handoff": "#dc2626",
    "goto": "#9ca3af",
    "end": "#111827",
    "exit": "#059669",
    "goals": "#059669",
}
LABELS = {
    "enrolled": "enrolled",
    "active": "active",
    "entered": "entered",
    "sent": "sent",
    "delivered": "delivered",
    "opened": "opened",
    "clicked": "clicked",
    "failed": "failed",
    "goal": "goal",
    "exited": "exited",
    "completed": "completed",
}

_env = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["svg", "html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Text:
    title: str
    lines: list[str]
    figures: list[list[tuple[str, int]]]

    @property
    def height(self) -> float:
        return (
            2 * PAD + LINE * (2 + len(self.lines) + len(self.figures)) + (4 if self.figures else 0)
        )


def _text(node: Node, counts: Counts | None) -> _Text:
    lines = [
        part
        for line in node.lines
        for part in textwrap.wrap(line, CHARS, break_on_hyphens=False) or [""]
    ]
    figures: list[list[tuple[str, int]]] = []
    if counts is not None:
        values = counts.nodes.get(node.id, {})
        cells = [(metric, int(values.get(metric, 0))) for metric in shown(node.kind, node.id)]
        figures = [cells[i : i + PER_ROW] for i in range(0, len(cells), PER_ROW)]
    return _Text(textwrap.shorten(node.title, CHARS), lines, figures)


def chart_svg(chart: Chart, counts: Counts | None = None) -> str:
    texts = {node.id: _text(node, counts) for node in chart.nodes}
    layout = lay_out(chart, lambda node_id: (WIDTH, texts[node_id].height))
    return _env.get_template("chart.svg").render(**_context(chart, counts, texts, layout))


def _context(
    chart: Chart, counts: Counts | None, texts: dict[str, _Text], layout: Layout
) -> dict[str, Any]:
    nodes = []
    for node in chart.nodes:
        box: Box = layout.boxes[node.id]
        text = texts[node.id]
        nodes.append(
            {
                "node": node,
                "box": box,
                "colour": COLOURS.get(node.kind, "#4b5563"),
                "title": text.title,
                "lines": text.lines,
                "figures": [
                    [{"metric": m, "label": LABELS[m], "value": v} for m, v in row]
                    for row in text.figures
                ],
                "figures_y": box.y + PAD + LINE * (2 + len(text.lines)) + 4,
            }
        )
    edges = []
    for route in layout.routes:
        points = route.points
        middle = len(points) // 2
        (x1, y1), (x2, y2) = points[middle - 1], points[middle]
        value = counts.edges.get(route.edge.key, 0) if counts is not None else None
        label = route.edge.label
        edges.append(
            {
                "edge": route.edge,
                "path": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                "x": (x1 + x2) / 2 + 4,
                "y": (y1 + y2) / 2,
                "label": textwrap.shorten(label, 30) if label else "",
                "value": value,
                "back": points[-1][1] < points[0][1],
            }
        )
    return {
        "chart": chart,
        "nodes": nodes,
        "edges": edges,
        "width": round(layout.width),
        "height": round(layout.height),
        "counts": counts,
        "pad": PAD,
        "line": LINE,
        "cell": (WIDTH - 2 * PAD) / PER_ROW,
    }


def chart_page(chart: Chart, counts: Counts | None = None) -> str:
    """A whole page: the chart, then its numbers as a table for screen readers and copying."""
    return _env.get_template("chart.html").render(
        chart=chart,
        svg=Markup(chart_svg(chart, counts)),
        counts=counts,
        rows=count_rows(chart, counts),
    )


def count_rows(chart: Chart, counts: Counts | None) -> list[dict[str, Any]]:
    if counts is None:
        return []
    return [
        {
            "node": node,
            "figures": [
                (LABELS[m], counts.nodes.get(node.id, {}).get(m, 0))
                for m in shown(node.kind, node.id)
            ],
        }
        for node in chart.nodes
    ]
