"""Place a chart's nodes in layers, top to bottom, with grandalf's Sugiyama layout.

The layout knows boxes only: each node's size comes from the caller (the renderer measures
its text). Edges spanning several layers are routed through the layout's dummy points, so
they bend around the boxes in between; a goto back up a journey is drawn like any other edge.
The goals box is not part of the flow (a goal is checked at every step): it sits beside
the entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grandalf.graphs import Edge as GEdge
from grandalf.graphs import Graph, Vertex
from grandalf.layouts import SugiyamaLayout
from grandalf.routing import EdgeViewer, route_with_lines

from nurture.charts.model import ENTRY, GOALS, Chart, Edge

MARGIN = 24
GAP_X = 48
GAP_Y = 56


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class Route:
    edge: Edge
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.xy: tuple[float, float] = (0.0, 0.0)


def lay_out(chart: Chart, size: Callable[[str], tuple[float, float]]) -> Layout:
    """Boxes and edge routes for ``chart``; ``size(node_id)`` is a node's (width, height)."""
    flow = [n for n in chart.nodes if n.id != GOALS]
    vertices = {n.id: Vertex(n.id) for n in flow}
    for node_id, vertex in vertices.items():
        vertex.view = _View(*size(node_id))
    edges = []
    for edge in chart.edges:
        g_edge = GEdge(vertices[edge.source], vertices[edge.target], data=edge)
        g_edge.view = EdgeViewer()
        edges.append(g_edge)
    graph = Graph(list(vertices.values()), edges)
    boxes: dict[str, Box] = {}
    routes: list[Route] = []
    left = float(MARGIN)
    for component in graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = GAP_X, GAP_Y
        sugiyama.route_edge = route_with_lines
        roots = [v for v in component.sV if v.data == ENTRY] or [
            v for v in component.sV if not v.e_in()
        ]
        sugiyama.init_all(roots=roots or None, optimize=True)
        sugiyama.draw(3)
        placed = {
            v.data: Box(
                v.view.xy[0] - v.view.w / 2, v.view.xy[1] - v.view.h / 2, v.view.w, v.view.h
            )
            for v in component.sV
        }
        bends = [point for e in component.sE for point in e.view._pts]
        shift_x = left - min([b.x for b in placed.values()] + [x for x, _ in bends])
        shift_y = MARGIN - min([b.y for b in placed.values()] + [y for _, y in bends])
        for node_id, b in placed.items():
            boxes[node_id] = Box(b.x + shift_x, b.y + shift_y, b.width, b.height)
        for g_edge in component.sE:
            points = tuple((x + shift_x, y + shift_y) for x, y in g_edge.view._pts)
            routes.append(Route(g_edge.data, points))
        left = max(b.x + b.width for b in boxes.values()) + GAP_X
    if any(n.id == GOALS for n in chart.nodes):
        width, height = size(GOALS)
        entry = boxes[ENTRY]
        beside = Box(entry.x + entry.width + GAP_X, entry.y, width, height)
        if any(_overlap(beside, b) for b in boxes.values()):
            beside = Box(max(b.x + b.width for b in boxes.values()) + GAP_X, entry.y, width, height)
        boxes[GOALS] = beside
    order = {edge.key: i for i, edge in enumerate(chart.edges)}
    routes.sort(key=lambda r: order[r.edge.key])
    right = max(b.x + b.width for b in boxes.values())
    routes_right = max((x for r in routes for x, _ in r.points), default=0.0)
    bottom = max(b.y + b.height for b in boxes.values())
    return Layout(boxes, routes, max(right, routes_right) + MARGIN, bottom + MARGIN)


def _overlap(a: Box, b: Box) -> bool:
    return (
        a.x < b.x + b.width + GAP_X / 2
        and b.x < a.x + a.width + GAP_X / 2
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )
