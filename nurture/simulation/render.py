"""A simulation as text (per contact, in the contact's zone), JSON lines, or an HTML page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from nurture.charts.render import chart_svg
from nurture.simulation.run import Simulation
from nurture.simulation.timeline import KINDS, Entry


def as_json_lines(simulation: Simulation) -> str:
    return "".join(json.dumps(e.as_json(), sort_keys=False) + "\n" for e in simulation.entries)


def as_text(simulation: Simulation) -> str:
    lines: list[str] = []
    by_contact = sorted(simulation.entries, key=lambda e: (e.email, e.sort_key()))
    for email, entries in groupby(by_contact, key=lambda e: e.email):
        zone = simulation.zones.get(email, "UTC")
        lines.append(f"{email} ({zone})")
        lines.extend(f"  {_local(e.at, zone)}  {e.kind:<10} {_describe(e)}" for e in entries)
        lines.append("")
    summary = simulation.summary()
    lines.append(
        f"{summary.contacts} contacts, {summary.emails} emails sent, "
        f"{summary.handoffs} handed off to sales, {summary.suppressed} suppressed"
    )
    lines.extend(f"  {step}: {count}" for step, count in summary.emails_by_step.items())
    stages = ", ".join(f"{s} {n}" for s, n in summary.stages.items())
    lines.append(f"stages at the end: {stages}")
    return "\n".join(lines) + "\n"


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def _describe(entry: Entry) -> str:
    d = entry.data
    if entry.kind == "sent":
        return f'{d["journey"]}/{d["step"]}  "{d["subject"]}"'
    if entry.kind == "score":
        return f"{d['points']:+d} {d['rule']} -> {d['score']}"
    if entry.kind == "stage":
        return f"{d['from']} -> {d['to']}"
    if entry.kind == "handoff":
        escalated = f" (escalated: {d['reason']})" if d.get("reason") else ""
        return f"to {d['owner']}, SLA due {d['sla_due']}{escalated}"
    if entry.kind in ("exited", "skipped"):
        where = d["journey"] + (f"/{d['step']}" if d.get("step") else "")
        return f"{where}: {d['reason']}"
    if entry.kind == "suppressed":
        return str(d["reason"])
    return str(d.get("journey", ""))


_COLOURS = {
    "enrolled": "#6b7280",
    "score": "#f59e0b",
    "stage": "#7c3aed",
    "handoff": "#dc2626",
    "sent": "#2563eb",
    "skipped": "#9ca3af",
    "suppressed": "#111827",
    "exited": "#059669",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Simulation</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111827; }
table { border-collapse: collapse; font-size: 13px; } td, th { padding: 2px 8px; text-align: left; }
.legend span { display: inline-block; margin-right: 1rem; }
.chart-scroll { overflow-x: auto; max-width: 100%; margin-bottom: 1rem; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; }
</style></head><body>
<h1>Simulation: {{ start }} + {{ days }} days</h1>
<p>{{ summary.contacts }} contacts, {{ summary.emails }} emails sent,
 {{ summary.handoffs }} handed off to sales, {{ summary.suppressed }} suppressed.</p>
<div class="legend">{% for kind, colour in colours %}<span><i style="background: {{ colour }}"></i>{{ kind }}</span>{% endfor %}</div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{{ width }}" height="{{ height }}" role="img" aria-label="timeline">
{% for day in day_marks %}<line x1="{{ day.x }}" y1="20" x2="{{ day.x }}" y2="{{ height }}" stroke="#e5e7eb"/>
<text x="{{ day.x + 2 }}" y="14" font-size="10" fill="#6b7280">{{ day.label }}</text>{% endfor %}
{% for row in rows %}<text x="4" y="{{ row.y + 4 }}" font-size="12">{{ row.email }}</text>
{% for mark in row.marks %}<circle class="mark {{ mark.kind }}" cx="{{ mark.x }}" cy="{{ row.y }}" r="5" fill="{{ mark.colour }}"><title>{{ mark.title }}</title></circle>
{% endfor %}{% endfor %}
</svg>
{% if charts %}<h2>Journeys</h2>
<p>Each journey with the simulation's counts per step and per edge.</p>
{% for chart in charts %}<h3>{{ chart.name }}</h3><div class="chart-scroll">{{ chart.svg }}</div>
{% endfor %}{% endif %}
<h2>Timeline</h2>
<table><tr><th>at (UTC)</th><th>contact</th><th>what</th><th>details</th></tr>
{% for e in entries %}<tr><td>{{ e.at }}</td><td>{{ e.email }}</td><td>{{ e.kind }}</td><td>{{ e.text }}</td></tr>
{% endfor %}</table>
</body></html>
"""


def as_html(simulation: Simulation) -> str:
    """A self-contained page: an SVG swimlane per contact, then the full timeline."""
    label_width, lane, plot = 220, 22, 900
    start, end = simulation.scenario.start, simulation.scenario.end
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        return round(label_width + plot * (moment - start).total_seconds() / span, 1)

    emails = sorted({e.email for e in simulation.entries})
    rows = [
        {
            "email": email,
            "y": 40 + i * lane,
            "marks": [
                {
                    "kind": e.kind,
                    "colour": _COLOURS[e.kind],
                    "x": x(e.at),
                    "title": f"{e.at.isoformat()} {e.kind} {_describe(e)}",
                }
                for e in simulation.entries
                if e.email == email
            ],
        }
        for i, email in enumerate(emails)
    ]
    days = simulation.scenario.days
    step = max(1, days // 15)
    marks = [
        {"x": x(start + timedelta(days=d)), "label": f"day {d}"} for d in range(0, days + 1, step)
    ]
    env = SandboxedEnvironment(autoescape=True)
    return env.from_string(_PAGE).render(
        start=start.isoformat(),
        days=days,
        summary=simulation.summary(),
        colours=[(k, _COLOURS[k]) for k in KINDS],
        rows=rows,
        day_marks=marks,
        width=label_width + plot + 20,
        height=40 + len(emails) * lane,
        charts=[
            {"name": chart.name, "svg": Markup(chart_svg(chart, counts))}
            for chart, counts in simulation.charts
        ],
        entries=[
            {"at": e.at.isoformat(), "email": e.email, "kind": e.kind, "text": _describe(e)}
            for e in simulation.entries
        ],
    )
