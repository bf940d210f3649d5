"""``nurture journeys``: see a journey as a flow chart, with its numbers on it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, out, parse_time, settings_for
from nurture.errors import ConfigError, InputError

journeys_app = typer.Typer(no_args_is_help=True, help="See journeys as flow charts.")
app.add_typer(journeys_app, name="journeys")


@journeys_app.command("draw")
def draw_command(
    journey: Annotated[str, typer.Argument(help="The journey's id.")],
    svg: Annotated[Path | None, typer.Option(help="Write the chart as an SVG file here.")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write a page with the chart and its counts here.")
    ] = None,
    stats: Annotated[
        bool,
        typer.Option(
            "--stats",
            help="Draw the published version with the database's counts on every step and edge.",
        ),
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="With --stats: contacts enrolled from this time on.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="With --stats: contacts enrolled before this time.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Draw JOURNEY from its definition (entry, every step, exits, goals) as a flow chart.

    Without --svg or --html the SVG goes to standard output.
    """
    from nurture.charts.live import live_counts, stored_chart, stored_versions, template_subjects
    from nurture.charts.model import Chart, chart_of
    from nurture.charts.render import chart_page, chart_svg
    from nurture.definitions.loader import load_workspace
    from nurture.reports.scope import Scope
    from nurture.store.db import is_migrated, make_engine

    if svg is not None and html is not None:
        raise InputError("give --svg or --html, not both")
    if (since or until) and not stats:
        raise InputError("--since and --until choose the counts: add --stats")
    settings = settings_for(workspace)
    subjects = template_subjects(settings.templates)
    counts = None
    if stats:
        start = parse_time(since, "--since") if since else None
        end = parse_time(until, "--until") if until else None
        engine = make_engine(settings.database_url)
        try:
            if not is_migrated(engine):
                raise ConfigError(
                    f"the database {settings.database_url} has no schema yet: "
                    "run `nurture db upgrade`"
                )
            published = [v for v in stored_versions(engine, journey) if v.current]
            if not published:
                raise InputError(
                    f"journey {journey!r} is not published in {settings.database_url}: "
                    "run `nurture tick` (or the workers) once to publish the workspace"
                )
            chart: Chart = stored_chart(published[0], subjects)
            scope = Scope(engine.dialect.name, end or datetime.now(UTC), since=start, until=end)
            counts = live_counts(engine, chart, scope)
        finally:
            engine.dispose()
    else:
        found = {j.id: j for j in load_workspace(settings.workspace).journeys}
        if journey not in found:
            known = ", ".join(sorted(found)) or "none"
            raise InputError(f"no journey {journey!r} in {settings.workspace}: use one of {known}")
        chart = chart_of(found[journey], subjects)
    if html is not None:
        html.write_text(chart_page(chart, counts), encoding="utf-8")
        out.print(f"wrote {html}")
    elif svg is not None:
        svg.write_text(chart_svg(chart, counts), encoding="utf-8")
        out.print(f"wrote {svg}")
    else:
        out.file.write(chart_svg(chart, counts))
        out.file.flush()
