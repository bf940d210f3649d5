"""``nurture tick``: run the work that is due, once."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, out, parse_time, runtime, settings_for
from nurture.clock import ManualClock


@app.command("tick")
def tick_command(
    now: Annotated[str | None, typer.Option(help="Run as if it were this ISO time.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Run the work due now (or at --now) once."""
    from nurture.engine.tick import tick

    settings = settings_for(workspace)
    clock = ManualClock(parse_time(now)) if now is not None else None
    rt = runtime(settings, clock=clock)
    result = tick(rt)
    out.print(f"{result.claimed} enrollments run, {result.sent} emails sent")
