"""The chart as SVG: laid out without overlaps, self-contained, the same every time."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from nurture.charts.counts import Counts
from nurture.charts.layout import lay_out
from nurture.charts.model import chart_of
from nurture.charts.render import chart_page, chart_svg
from nurture.definitions.loader import load_workspace

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def _charts():
    workspace = load_workspace(ROOT / "example")
    return [chart_of(j) for j in workspace.journeys]


def test_boxes_never_overlap_and_edges_join_their_boxes() -> None:
    for chart in _charts():
        layout = lay_out(chart, lambda _: (200.0, 60.0))
        boxes = list(layout.boxes.values())
        assert len(boxes) == len(chart.nodes)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a.x + a.width <= b.x
                    or b.x + b.width <= a.x
                    or a.y + a.height <= b.y
                    or b.y + b.height <= a.y
                )
                assert apart, (chart.journey, a, b)
        for route in layout.routes:
            source, target = layout.boxes[route.edge.source], layout.boxes[route.edge.target]
            (x0, y0), (x1, y1) = route.points[0], route.points[-1]
            assert source.x - 1 <= x0 <= source.x + source.width + 1
            assert source.y - 1 <= y0 <= source.y + source.height + 1
            assert target.x - 1 <= x1 <= target.x + target.width + 1
            assert target.y - 1 <= y1 <= target.y + target.height + 1
        assert {r.edge.key for r in layout.routes} == {e.key for e in chart.edges}


def test_the_svg_is_self_contained_and_deterministic() -> None:
    for chart in _charts():
        svg = chart_svg(chart)
        tree = ElementTree.fromstring(svg)
        nodes = tree.findall(f".//{SVG}g[@data-node]")
        assert [n.get("data-node") for n in nodes if "step" in n.get("class", "")] == [
            n.id for n in chart.steps
        ]
        urls = re.findall(r"(?:href|src)=\"([^\"#][^\"]*)\"|url\((?!#)", svg)
        assert urls == []
        assert "@import" not in svg and "<script" not in svg
        assert chart_svg(chart) == svg


def test_counts_appear_on_steps_and_edges_and_text_is_escaped() -> None:
    chart = _charts()[0]
    first = chart.steps[0].id
    counts = Counts(
        nodes={first: {"entered": 7, "sent": 6}},
        edges={chart.edges[0].key: 7},
        caption="<b>test</b>",
    )
    svg = chart_svg(chart, counts)
    tree = ElementTree.fromstring(svg)
    figures = {
        (t.get("data-node"), t.get("data-metric")): int(t.get("data-value", "-1"))
        for t in tree.iter(f"{SVG}text")
        if t.get("data-metric")
    }
    assert figures[(first, "entered")] == 7 and figures[(first, "sent")] == 6
    edge = tree.find(f".//{SVG}text[@data-source='@entry']")
    assert edge is not None and edge.get("data-value") == "7"
    assert "&lt;b&gt;test&lt;/b&gt;" in svg and "<b>test</b>" not in svg
    page = chart_page(chart, counts)
    assert page.count("<svg") == 1 and "&lt;b&gt;test" in page
