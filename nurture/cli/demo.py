"""``nurture demo``: the example workspace on generated engagement."""

from __future__ import annotations

import typer

from nurture.cli.app import WorkspaceOption, app, count_progress, out, runtime, settings_for
from nurture.clock import ManualClock


@app.command()
def demo(
    seed: int = typer.Option(7, help="The same seed gives the same run."),
    contacts: int = typer.Option(200, min=1, help="How many example contacts."),
    days: int = typer.Option(28, min=1, help="How many days of engagement to replay."),
    reset: bool = typer.Option(False, "--reset", help="Empty the database and outbox first."),
    workspace: WorkspaceOption = None,
) -> None:
    """Replay generated engagement of example contacts through the example workspace."""
    from nurture.demo import DEMO_START, print_summary, run_demo

    settings = settings_for(workspace)
    clock = ManualClock(DEMO_START)
    rt = runtime(settings, clock=clock)
    with count_progress() as progress:
        run_demo(
            rt,
            clock,
            settings.outbox_dir,
            seed=seed,
            contacts=contacts,
            days=days,
            reset=reset,
            progress=progress,
        )
    print_summary(rt, out, settings.outbox_dir)
