"""The report as plain tables: printed with rich in the terminal, and laid out in the HTML page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from nurture.domain.lifecycle import FUNNEL
from nurture.reports.build import Report
from nurture.reports.funnel import CONVERSIONS, FunnelRow
from nurture.reports.sla import SLA_COUNTS

NAMES = {"mql": "MQL", "sal": "SAL", "sql": "SQL"}


def stage_name(stage: str) -> str:
    return NAMES.get(stage, stage)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m"


def describe_scope(report: Report) -> str:
    scope = report.scope
    parts = [
        f"since {scope.since.isoformat()}" if scope.since else "from the start",
        f"until {scope.until.isoformat()}"
        if scope.until
        else f"until now ({scope.as_of:%Y-%m-%d %H:%M} UTC)",
    ]
    if scope.cohort:
        parts.append(f"contacts grouped by the {scope.cohort} they were created")
    return ", ".join(parts)


@dataclass(frozen=True)
class Section:
    """A titled table; the first ``left`` columns are labels, the rest numbers."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    left: int = 1

    def rich(self) -> Table:
        table = Table(title=self.title, title_justify="left", min_width=len(self.title))
        for i, column in enumerate(self.columns):
            table.add_column(column, justify="left" if i < self.left else "right")
        for row in self.rows:
            table.add_row(*row)
        return table


def _table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], first_left: int = 1
) -> Section:
    return Section(title, list(columns), [[str(c) for c in row] for row in rows], first_left)


def _cohorted(report: Report) -> bool:
    return report.scope.cohort is not None


def _lead_columns(report: Report, *names: str) -> list[str]:
    return (["cohort"] if _cohorted(report) else []) + list(names)


def _lead(report: Report, cohort: str, *cells: Any) -> list[Any]:
    return ([cohort] if _cohorted(report) else []) + list(cells)


def funnel_tables(report: Report) -> list[Section]:
    lead = len(_lead_columns(report))
    stages = _table(
        "Stage funnel (contacts that reached each stage)",
        _lead_columns(report, "stage", "contacts", "from previous", "from lead"),
        (
            _lead(
                report,
                row.cohort,
                stage_name(stage),
                row.reached[stage],
                percent(row.rate(FUNNEL[i - 1], stage)) if i > 1 else "",
                percent(row.rate("lead", stage)) if i > 1 else "",
            )
            for row in report.funnel
            for i, stage in enumerate(FUNNEL)
            if i > 0
        ),
        lead + 1,
    )
    conversions = _table(
        "Conversion",
        _lead_columns(report, *[f"{stage_name(a)} -> {stage_name(b)}" for a, b in CONVERSIONS]),
        (
            _lead(report, row.cohort, *[percent(row.rate(a, b)) for a, b in CONVERSIONS])
            for row in report.funnel
        ),
        lead,
    )
    over_time = _table(
        f"Contacts reaching each stage, per {report.scope.cohort or 'week'}",
        [report.scope.cohort or "week", *[stage_name(s) for s in FUNNEL[1:]], "lead -> MQL"],
        (
            [row.period, *[row.entered[s] for s in FUNNEL[1:]], percent(row.rate("lead", "mql"))]
            for row in report.over_time
        ),
    )
    return [stages, conversions, over_time]


def stage_time_table(report: Report) -> Section:
    return _table(
        "Median time in each stage (finished stays) and to MQL (from creation)",
        _lead_columns(report, "stage", "median", "over"),
        (
            _lead(report, t.cohort, stage_name(t.stage), duration(t.median_seconds), t.stays)
            for t in report.stage_times
        ),
        len(_lead_columns(report)) + 1,
    )


def journey_tables(report: Report) -> list[Section]:
    lead = len(_lead_columns(report))
    summary = _table(
        "Journeys",
        _lead_columns(
            report, "journey", "enrolled", "active", "completed", "goal reached", "exited"
        ),
        (
            _lead(report, j.cohort, j.journey, j.enrolled, j.active, j.completed, j.goal, j.exited)
            for j in report.journeys
        ),
        lead + 1,
    )
    steps = _table(
        "Journey steps (delivered / opened / clicked: distinct messages; machine opens left out)",
        _lead_columns(
            report,
            "journey",
            "step",
            "type",
            "sent",
            "failed",
            "delivered",
            "opened",
            "clicked",
            "goal reached",
            "exited",
        ),
        (
            _lead(
                report,
                s.cohort,
                s.journey,
                s.step,
                s.kind,
                *[
                    s.counts[name]
                    for name in (
                        "sent",
                        "failed",
                        "delivered",
                        "opened",
                        "clicked",
                        "goal",
                        "exited",
                    )
                ],
            )
            for s in report.steps
        ),
        lead + 3,
    )
    return [summary, steps]


def split_table(report: Report) -> Section | str:
    if not report.splits:
        return "A/B splits: no A/B splits recorded"
    rows = []
    for result in report.splits:
        test = result.test
        verdict = (
            "undefined"
            if test.p_value is None
            else f"p = {test.p_value:.4f}" + (" significant" if test.significant() else "")
        )
        for i, v in enumerate(test.variants):
            rows.append(
                _lead(
                    report,
                    result.cohort,
                    f"{result.journey}/{result.step}",
                    v.name,
                    v.assigned,
                    v.converted,
                    percent(v.rate),
                    f"{test.method}: {verdict}" if i == 0 else "",
                )
            )
    return _table(
        "A/B splits (converted: enrollment reached its goal)",
        _lead_columns(report, "split", "variant", "assigned", "converted", "rate", "test"),
        rows,
        len(_lead_columns(report)) + 2,
    )


def branch_table(report: Report) -> Section | str:
    if not report.branches:
        return "Branches: no branch decisions recorded"
    return _table(
        "Branches (which way branch and wait_for steps went, and why)",
        _lead_columns(report, "step", "condition", "went to", "decisions", "contacts"),
        (
            _lead(
                report,
                b.cohort,
                f"{b.journey}/{b.step}",
                b.condition,
                b.target or "(end)",
                b.decisions,
                b.contacts,
            )
            for b in report.branches
        ),
        len(_lead_columns(report)) + 3,
    )


def dimension_table(report: Report, title: str, name: str, rows: list[FunnelRow]) -> Section:
    return _table(
        title,
        _lead_columns(
            report,
            name,
            "contacts",
            "leads",
            "MQLs",
            "SQLs",
            "customers",
            "lead -> MQL",
            "MQL -> SQL",
            "MQL -> customer",
        ),
        (
            _lead(
                report,
                r.cohort,
                r.group,
                r.reached["subscriber"],
                r.reached["lead"],
                r.reached["mql"],
                r.reached["sql"],
                r.reached["customer"],
                percent(r.rate("lead", "mql")),
                percent(r.rate("mql", "sql")),
                percent(r.rate("mql", "customer")),
            )
            for r in rows
        ),
        len(_lead_columns(report)) + 1,
    )


def sla_tables(report: Report) -> list[Section]:
    lead = len(_lead_columns(report))
    totals = _table(
        "Handoffs to sales (reassignments and escalations follow SLA breaches)",
        _lead_columns(
            report, "handoffs", "contacts", "reassignments", "escalations", "SLA breaches"
        ),
        (
            _lead(
                report, t.cohort, t.handoffs, t.contacts, t.reassignments, t.escalations, t.breaches
            )
            for t in report.handoffs
        ),
        lead,
    )
    compliance = _table(
        "Handoff SLA per owner",
        _lead_columns(
            report,
            "owner",
            "handed off",
            "reassigned to",
            "in time",
            "late",
            "open",
            "breaches",
            "reassigned away",
            "escalated",
            "compliance",
        ),
        (
            _lead(
                report,
                s.cohort,
                s.owner,
                *[s.counts[name] for name in SLA_COUNTS],
                percent(s.compliance),
            )
            for s in report.sla
        ),
        lead + 1,
    )
    reasons = _table(
        "Handoff statuses, recycles and disqualifications, with their reasons",
        _lead_columns(report, "what", "reason", "contacts"),
        (_lead(report, r.cohort, r.kind, r.reason or "-", r.count) for r in report.reasons),
        lead + 2,
    )
    return [totals, compliance, reasons]


def score_tables(report: Report) -> list[Section]:
    lead = len(_lead_columns(report))
    bands = _table(
        "Contacts per score band and grade",
        _lead_columns(report, "band", "grade", "contacts", "mean score"),
        (
            _lead(report, b.cohort, b.band, b.grade, b.contacts, f"{b.mean_score:.1f}")
            for b in report.band_grades
        ),
        lead + 2,
    )
    histogram = _table(
        "Score histogram",
        _lead_columns(report, "score", "contacts"),
        (_lead(report, b.cohort, f"{b.low} to {b.low + 9}", b.contacts) for b in report.histogram),
        lead + 1,
    )
    return [bands, histogram]


def print_report(report: Report, console: Console) -> None:
    console.print(f"nurture report: {describe_scope(report)}")
    if not report.funnel:
        console.print("no contacts in this range")
    for section in sections(report):
        console.print()
        console.print(section.rich() if isinstance(section, Section) else section)


def sections(report: Report) -> list[Section | str]:
    return [
        *funnel_tables(report),
        stage_time_table(report),
        *journey_tables(report),
        split_table(report),
        branch_table(report),
        dimension_table(report, "By lead source", "source", report.sources),
        dimension_table(
            report,
            "By campaign (attributes.campaign, else first utm_campaign)",
            "campaign",
            report.campaigns,
        ),
        *sla_tables(report),
        *score_tables(report),
    ]
