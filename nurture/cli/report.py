"""``nurture report``: funnel and conversion, as terminal tables or a self-contained HTML page."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from nurture.cli.app import NowOption, app, out, parse_time
from nurture.errors import ConfigError, InputError
from nurture.settings import load_settings

if TYPE_CHECKING:
    from nurture.reports.scope import Cohort

# Piped to a file, the tables keep every column rather than the 80 of an unknown terminal.
wide = Console(width=160, soft_wrap=True)


@app.command("report")
def report_command(
    since: Annotated[
        str | None, typer.Option(help="Only what happened from this time on (ISO date or time).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only what happened before this time (ISO date or time).")
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option(help="Group every section by the month or week contacts were created."),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML page with charts here.")
    ] = None,
    now: NowOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every figure as one JSON document.")
    ] = False,
) -> None:
    """Funnel, stage times, journeys, A/B splits, sources, SLA and scores."""
    from nurture.reports.build import build_report
    from nurture.reports.html import as_html
    from nurture.reports.scope import Scope
    from nurture.reports.text import print_report
    from nurture.store.db import is_migrated, make_engine

    if cohort not in (None, "month", "week"):
        raise InputError(f"--cohort {cohort!r}: use month or week")
    start = parse_time(since, "--since") if since else None
    end = parse_time(until, "--until") if until else None
    if start and end and end <= start:
        raise InputError("--until must come after --since")
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        if not is_migrated(engine):
            raise ConfigError(
                f"the database {settings.database_url} has no schema yet: run `nurture db upgrade`"
            )
        chosen: Cohort | None = "month" if cohort == "month" else "week" if cohort else None
        # An SLA counts as breached once its due time has passed by the end of the range or
        # by --now (the configured clock when neither is given).
        at = parse_time(now) if now else None
        as_of = min(end, at) if end and at else end or at or settings.clock.now()
        scope = Scope(engine.dialect.name, as_of, since=start, until=end, cohort=chosen)
        report = build_report(engine, scope)
    finally:
        engine.dispose()
    if html is not None:
        html.write_text(as_html(report), encoding="utf-8")
    if as_json:
        from nurture.reports.export import report_json

        out.file.write(json.dumps(report_json(report), indent=2) + "\n")
        out.file.flush()
    elif html is not None:
        out.print(f"wrote {html}")
    else:
        print_report(report, out if out.is_terminal or "COLUMNS" in os.environ else wide)
