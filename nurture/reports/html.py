"""The report as one self-contained HTML page: inline SVG charts, no script, no network.

Charts are drawn server-side through a sandboxed, autoescaping Jinja2 template; every mark
carries its number in a ``data-value`` attribute (and a ``<title>`` tooltip), so a reader
can hover it and a test can check it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.build import Report
from nurture.reports.text import Section, describe_scope, percent, sections, stage_name

COLOURS = {
    "lead": "#60a5fa",
    "mql": "#7c3aed",
    "sal": "#db2777",
    "sql": "#dc2626",
    "opportunity": "#ea580c",
    "customer": "#059669",
    "sent": "#2563eb",
    "delivered": "#0891b2",
    "opened": "#f59e0b",
    "clicked": "#16a34a",
}
STEP_METRICS = ("sent", "delivered", "opened", "clicked")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    colour: str
    data: dict[str, str]


def funnel_bars(report: Report) -> list[Bar]:
    """One horizontal bar per stage from lead on, over every cohort."""
    totals: Counter[str] = Counter()
    for row in report.funnel:
        totals.update(row.reached)
    widest = max([totals[s] for s in FUNNEL[1:]] + [1])
    bars = []
    for i, stage in enumerate(FUNNEL[1:]):
        value = totals[stage]
        width = round(560 * value / widest, 1)
        share = percent(value / totals["lead"]) if totals["lead"] else "-"
        bars.append(
            Bar(
                150,
                10 + i * 34,
                width,
                26,
                value,
                f"{stage_name(stage)}: {value} ({share} of leads)",
                COLOURS[stage],
                {"stage": stage},
            )
        )
    return bars


def over_time_lines(report: Report) -> dict[str, Any]:
    """Per stage, a line through the contacts reaching it in each period."""
    periods = [row.period for row in report.over_time]
    stages = [s for s in FUNNEL[1:] if any(row.entered[s] for row in report.over_time)]
    highest = max([row.entered[s] for row in report.over_time for s in stages] + [1])
    step = 600 / max(len(periods) - 1, 1)
    lines = []
    for stage in stages:
        points = [
            {
                "x": round(60 + i * step, 1),
                "y": round(230 - 200 * row.entered[stage] / highest, 1),
                "value": row.entered[stage],
                "period": row.period,
            }
            for i, row in enumerate(report.over_time)
        ]
        lines.append(
            {
                "stage": stage,
                "name": stage_name(stage),
                "colour": COLOURS[stage],
                "points": points,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
            }
        )
    labels = [{"x": round(60 + i * step, 1), "text": p} for i, p in enumerate(periods)]
    return {"lines": lines, "labels": labels, "highest": highest}


def step_bars(report: Report) -> list[dict[str, Any]]:
    """Per journey, per send step: sent, delivered, opened and clicked side by side."""
    totals: dict[tuple[str, str], Counter[str]] = {}
    order: list[tuple[str, str]] = []
    for s in report.steps:
        if s.kind not in ("send", ""):
            continue
        key = (s.journey, s.step)
        if key not in totals:
            totals[key] = Counter()
            order.append(key)
        totals[key].update(s.counts)
    highest = max([c[m] for c in totals.values() for m in STEP_METRICS] + [1])
    journeys: dict[str, list[Bar]] = {}
    for journey, step in order:
        bars = journeys.setdefault(journey, [])
        slot = len(bars) // len(STEP_METRICS)
        for j, metric in enumerate(STEP_METRICS):
            value = totals[(journey, step)][metric]
            height = round(180 * value / highest, 1)
            bars.append(
                Bar(
                    60 + slot * 150 + j * 28,
                    200 - height,
                    24,
                    height,
                    value,
                    f"{step} {metric}: {value}",
                    COLOURS[metric],
                    {"journey": journey, "step": step, "metric": metric},
                )
            )
    return [
        {
            "journey": journey,
            "bars": bars,
            "steps": [
                {"x": 60 + i * 150, "name": step}
                for i, (j, step) in enumerate(k for k in order if k[0] == journey)
            ],
            "width": 80 + 150 * (len(bars) // len(STEP_METRICS)),
        }
        for journey, bars in journeys.items()
    ]


def histogram_bars(report: Report) -> list[Bar]:
    totals: Counter[int] = Counter()
    for bucket in report.histogram:
        totals[bucket.low] += bucket.contacts
    highest = max([*totals.values(), 1])
    bars = []
    for i, low in enumerate(sorted(totals)):
        height = round(180 * totals[low] / highest, 1)
        bars.append(
            Bar(
                50 + i * 40,
                200 - height,
                34,
                height,
                totals[low],
                f"{low} to {low + 9}: {totals[low]}",
                "#7c3aed",
                {"low": str(low)},
            )
        )
    return bars


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nurture report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111827; max-width: 1100px; }
h2 { margin-top: 2.5rem; }
table { border-collapse: collapse; font-size: 13px; margin: 0.5rem 0 1.5rem; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
svg text { font-size: 12px; fill: #374151; }
.legend span { display: inline-block; margin-right: 1rem; font-size: 13px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style></head><body>
<h1>nurture report</h1>
<p>{{ scope }}</p>

<h2>Funnel</h2>
<svg id="funnel-chart" class="chart" xmlns="http://www.w3.org/2000/svg" width="900" height="{{ 20 + 34 * funnel|length }}" role="img" aria-label="stage funnel">
{% for bar in funnel %}<text x="4" y="{{ bar.y + 17 }}">{{ bar.label.split(':')[0] }}</text>
<rect class="bar" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" fill="{{ bar.colour }}" data-stage="{{ bar.data.stage }}" data-value="{{ bar.value }}"><title>{{ bar.label }}</title></rect>
<text x="{{ bar.x + bar.width + 6 }}" y="{{ bar.y + 17 }}">{{ bar.label.split(': ', 1)[1] }}</text>
{% endfor %}</svg>

<h2>Conversion over time</h2>
<p>Contacts reaching each stage per {{ period }} (a contact that skipped a stage reaches it with the next one).</p>
<div class="legend">{% for line in over_time.lines %}<span><i style="background: {{ line.colour }}"></i>{{ line.name }}</span>{% endfor %}</div>
<svg id="over-time-chart" class="chart" xmlns="http://www.w3.org/2000/svg" width="720" height="270" role="img" aria-label="conversion over time">
<line x1="50" y1="230" x2="680" y2="230" stroke="#9ca3af"/>
<text x="4" y="34">{{ over_time.highest }}</text><text x="4" y="232">0</text>
{% for label in over_time.labels %}<text x="{{ label.x - 30 }}" y="252">{{ label.text }}</text>{% endfor %}
{% for line in over_time.lines %}<polyline fill="none" stroke="{{ line.colour }}" stroke-width="2" points="{{ line.path }}"/>
{% for p in line.points %}<circle class="point" cx="{{ p.x }}" cy="{{ p.y }}" r="4" fill="{{ line.colour }}" data-stage="{{ line.stage }}" data-period="{{ p.period }}" data-value="{{ p.value }}"><title>{{ line.name }}, {{ p.period }}: {{ p.value }}</title></circle>
{% endfor %}{% endfor %}</svg>

<h2>Journey steps</h2>
<div class="legend">{% for metric, colour in step_colours %}<span><i style="background: {{ colour }}"></i>{{ metric }}</span>{% endfor %}</div>
{% for journey in steps %}<h3>{{ journey.journey }}</h3>
<svg class="chart step-chart" data-journey="{{ journey.journey }}" xmlns="http://www.w3.org/2000/svg" width="{{ journey.width }}" height="230" role="img" aria-label="step drop-off of {{ journey.journey }}">
<line x1="50" y1="200" x2="{{ journey.width - 10 }}" y2="200" stroke="#9ca3af"/>
{% for step in journey.steps %}<text x="{{ step.x }}" y="218">{{ step.name }}</text>{% endfor %}
{% for bar in journey.bars %}<rect class="bar" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" fill="{{ bar.colour }}" data-journey="{{ bar.data.journey }}" data-step="{{ bar.data.step }}" data-metric="{{ bar.data.metric }}" data-value="{{ bar.value }}"><title>{{ bar.label }}</title></rect>
{% endfor %}</svg>
{% else %}<p>No journey step has run yet.</p>{% endfor %}

<h2>Score histogram</h2>
<svg id="score-chart" class="chart" xmlns="http://www.w3.org/2000/svg" width="{{ 80 + 40 * histogram|length }}" height="230" role="img" aria-label="score histogram">
<line x1="40" y1="200" x2="{{ 60 + 40 * histogram|length }}" y2="200" stroke="#9ca3af"/>
{% for bar in histogram %}<rect class="bar" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" fill="{{ bar.colour }}" data-low="{{ bar.data.low }}" data-value="{{ bar.value }}"><title>{{ bar.label }}</title></rect>
<text x="{{ bar.x + 4 }}" y="218">{{ bar.data.low }}</text>
{% endfor %}</svg>

<h2>Tables</h2>
{% for section in tables %}{% if section.columns is defined %}<table>
<caption>{{ section.title }}</caption>
<tr>{% for column in section.columns %}<th>{{ column }}</th>{% endfor %}</tr>
{% for row in section.rows %}<tr>{% for cell in row %}<td{% if loop.index0 >= section.left %} class="n"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% else %}<p>{{ section }}</p>{% endif %}{% endfor %}
</body></html>
"""


def as_html(report: Report) -> str:
    env = SandboxedEnvironment(autoescape=True)
    tables: list[Section | str] = sections(report)
    return env.from_string(_PAGE).render(
        scope=describe_scope(report),
        period=report.scope.cohort or "week",
        funnel=funnel_bars(report),
        over_time=over_time_lines(report),
        steps=step_bars(report),
        step_colours=[(m, COLOURS[m]) for m in STEP_METRICS],
        histogram=histogram_bars(report),
        tables=tables,
    )
