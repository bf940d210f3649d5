"""The report as one JSON document: every figure of the tables, for tools and the console.

The shape is documented in docs/reporting.md ("`--json`"); ``FORMAT`` names its version, and
a change that removes or renames a key bumps it. Rates are fractions (0.25, not "25%") or
null when their base is zero; durations are seconds; times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.build import Report
from nurture.reports.funnel import CONVERSIONS, FunnelRow

FORMAT = "nurture.report/1"


def report_json(report: Report) -> dict[str, Any]:
    scope = report.scope
    return {
        "format": FORMAT,
        "scope": {
            "since": _time(scope.since),
            "until": _time(scope.until),
            "as_of": _time(scope.as_of),
            "cohort": scope.cohort,
        },
        "funnel": [_funnel(row) for row in report.funnel],
        "over_time": {
            "unit": scope.cohort or "week",
            "periods": [
                {
                    "period": row.period,
                    "entered": {stage: row.entered[stage] for stage in FUNNEL[1:]},
                    "lead_to_mql": row.rate("lead", "mql"),
                }
                for row in report.over_time
            ],
        },
        "stage_times": [
            {
                "cohort": t.cohort,
                "stage": t.stage,
                "median_seconds": t.median_seconds,
                "stays": t.stays,
            }
            for t in report.stage_times
        ],
        "journeys": [
            {
                "cohort": j.cohort,
                "journey": j.journey,
                "enrolled": j.enrolled,
                "active": j.active,
                "completed": j.completed,
                "goal_reached": j.goal,
                "exited": j.exited,
            }
            for j in report.journeys
        ],
        "steps": [
            {
                "cohort": s.cohort,
                "journey": s.journey,
                "step": s.step,
                "type": s.kind,
                **{("goal_reached" if k == "goal" else k): n for k, n in s.counts.items()},
            }
            for s in report.steps
        ],
        "splits": [
            {
                "cohort": r.cohort,
                "journey": r.journey,
                "step": r.step,
                "method": r.test.method,
                "statistic": r.test.statistic,
                "p_value": r.test.p_value,
                "significant": r.test.significant(),
                "variants": [
                    {
                        "name": v.name,
                        "assigned": v.assigned,
                        "converted": v.converted,
                        "rate": v.rate,
                    }
                    for v in r.test.variants
                ],
            }
            for r in report.splits
        ],
        "branches": [
            {
                "cohort": b.cohort,
                "journey": b.journey,
                "step": b.step,
                "condition": b.condition,
                "target": b.target,
                "decisions": b.decisions,
                "contacts": b.contacts,
            }
            for b in report.branches
        ],
        "visits": [
            {"cohort": v.cohort, "journey": v.journey, "step": v.step, "entered": v.entered}
            for v in report.visits
        ],
        "moves": [
            {
                "cohort": m.cohort,
                "journey": m.journey,
                "from": m.source,
                "to": m.target,
                "count": m.contacts,
            }
            for m in report.moves
        ],
        "sources": [_funnel(row, "source") for row in report.sources],
        "campaigns": [_funnel(row, "campaign") for row in report.campaigns],
        "handoffs": [
            {
                "cohort": t.cohort,
                "handoffs": t.handoffs,
                "contacts": t.contacts,
                "reassignments": t.reassignments,
                "escalations": t.escalations,
                "breaches": t.breaches,
            }
            for t in report.handoffs
        ],
        "sla": [
            {"cohort": s.cohort, "owner": s.owner, **s.counts, "compliance": s.compliance}
            for s in report.sla
        ],
        "reasons": [
            {"cohort": r.cohort, "what": r.kind, "reason": r.reason, "count": r.count}
            for r in report.reasons
        ],
        "scores": {
            "band_grades": [
                {
                    "cohort": b.cohort,
                    "band": b.band,
                    "grade": b.grade,
                    "contacts": b.contacts,
                    "mean_score": b.mean_score,
                }
                for b in report.band_grades
            ],
            "histogram": [
                {"cohort": b.cohort, "low": b.low, "high": b.low + 9, "contacts": b.contacts}
                for b in report.histogram
            ],
        },
    }


def _funnel(row: FunnelRow, dimension: str | None = None) -> dict[str, Any]:
    group = {dimension: row.group} if dimension else {}
    return {
        "cohort": row.cohort,
        **group,
        "reached": {stage: row.reached[stage] for stage in FUNNEL},
        "from_previous": {b: row.rate(a, b) for a, b in pairwise(FUNNEL[1:])},
        "from_lead": {stage: row.rate("lead", stage) for stage in FUNNEL[2:]},
        "conversion": {f"{a}_to_{b}": row.rate(a, b) for a, b in CONVERSIONS},
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
