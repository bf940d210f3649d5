"""``nurture tick``: run the work that is due, once."""

from __future__ import annotations

from nurture.cli.app import NowOption, WorkspaceOption, app, clock_at, out, runtime, settings_for


@app.command("tick")
def tick_command(
    now: NowOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Run the work due now (or at --now) once."""
    from nurture.engine.tick import tick

    settings = settings_for(workspace)
    rt = runtime(settings, clock=clock_at(now))
    result = tick(rt)
    out.print(f"{result.claimed} contacts run, {result.sent} emails sent")
