"""``nurture simulate``: preview a workspace on a virtual clock before it goes live."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, count_progress, out, settings_for
from nurture.errors import InputError


@app.command("simulate")
def simulate_command(
    scenario: Annotated[Path | None, typer.Argument(help="A scenario YAML file.")] = None,
    workspace: WorkspaceOption = None,
    contacts: Annotated[
        int | None, typer.Option(min=1, help="Generate engagement for N contacts instead.")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Days to run generated engagement.")] = 90,
    seed: Annotated[int, typer.Option(help="Seed of generated engagement.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML page here.")] = None,
) -> None:
    """Run a workspace on a throwaway database; print the timeline it would produce."""
    from nurture.demo import DEMO_START, generate
    from nurture.simulation.render import as_html, as_json_lines, as_text
    from nurture.simulation.run import simulate
    from nurture.simulation.scenario import Scenario, load_scenario

    settings = settings_for(workspace)
    if (scenario is None) == (contacts is None):
        raise InputError("give either a SCENARIO file or --contacts N (generated engagement)")
    if scenario is not None:
        plan = load_scenario(_find(scenario, settings.workspace))
    else:
        assert contacts is not None
        data = generate(seed, contacts, days)
        plan = Scenario(DEMO_START, days, data.contacts, data.events)
    with count_progress() as progress:
        task = progress.add_task("simulating", total=len(plan.events))
        result = simulate(
            plan,
            settings.workspace,
            on_event=lambda: progress.advance(task),
        )
    if html is not None:
        html.write_text(as_html(result), encoding="utf-8")
    text = as_json_lines(result) if as_json else as_text(result)
    out.file.write(text)
    out.file.flush()


def _find(scenario: Path, workspace: Path) -> Path:
    """A scenario path as given, else inside the workspace (``scenarios/ana.yaml``)."""
    inside = workspace / scenario
    return inside if not scenario.exists() and inside.exists() else scenario
