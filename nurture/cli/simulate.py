"""``nurture simulate``: preview a workspace on a virtual clock before it goes live."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, count_progress, err, out, settings_for
from nurture.errors import InputError


@app.command("simulate")
def simulate_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(help="A scenario YAML file (with --check: or a folder of them)."),
    ] = None,
    workspace: WorkspaceOption = None,
    contacts: Annotated[
        int | None, typer.Option(min=1, help="Generate engagement for N contacts instead.")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Days to run generated engagement.")] = 90,
    seed: Annotated[int, typer.Option(help="Seed of generated engagement.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML page here.")] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Check each scenario's `expect` instead of printing the timeline; "
            "exit 1 when one fails.",
        ),
    ] = False,
) -> None:
    """Run a workspace on a throwaway database; print the timeline it would produce.

    With --check, a scenario file is a test: its `expect` entries say which emails a
    contact should (not) have had, its stage and its score by a given day.
    """
    from nurture.demo import DEMO_START, generate
    from nurture.simulation.render import as_html, as_json_lines, as_text
    from nurture.simulation.run import simulate
    from nurture.simulation.scenario import Scenario, load_scenario

    settings = settings_for(workspace)
    if (scenario is None) == (contacts is None):
        raise InputError("give either a SCENARIO file or --contacts N (generated engagement)")
    if check:
        if scenario is None:
            raise InputError("--check needs a SCENARIO file or folder, not --contacts")
        _check(_find(scenario, settings.workspace), settings.workspace)
        return
    if scenario is not None:
        plan = load_scenario(_find(scenario, settings.workspace), settings.time_range)
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
            charts=html is not None,
        )
    if html is not None:
        html.write_text(as_html(result), encoding="utf-8")
    text = as_json_lines(result) if as_json else as_text(result)
    out.file.write(text)
    out.file.flush()
    if plan.expect:
        from nurture.simulation.expectations import check as check_expectations
        from nurture.simulation.expectations import report

        (err if as_json else out).file.write(report(result, check_expectations(result)))
    elif result.problems:
        err.file.write("".join(f"problem: {p}\n" for p in result.problems))


def _check(target: Path, workspace: Path) -> None:
    """Every scenario of ``target`` (a file, or a folder's *.yaml): exit 1 unless all pass."""
    from nurture.simulation.expectations import check, report
    from nurture.simulation.run import simulate
    from nurture.simulation.scenario import load_scenario

    files = sorted([*target.glob("*.yaml"), *target.glob("*.yml")]) if target.is_dir() else [target]
    if not files:
        raise InputError(f"{target}: no scenario files (*.yaml) in this folder")
    failed = 0
    for path in files:
        plan = load_scenario(path)
        if not plan.expect:
            if not target.is_dir():
                raise InputError(f"{path}: no `expect` in this scenario: add one to check it")
            out.print(f"SKIP  {path}: no `expect` in this scenario", highlight=False)
            continue
        result = simulate(plan, workspace)
        verdicts = check(result)
        out.file.write(report(result, verdicts))
        failed += sum(1 for v in verdicts if not v.passed) + len(result.problems)
    out.file.flush()
    if failed:
        raise typer.Exit(1)


def _find(scenario: Path, workspace: Path) -> Path:
    """A scenario path as given, else inside the workspace (``scenarios/ana.yaml``)."""
    inside = workspace / scenario
    return inside if not scenario.exists() and inside.exists() else scenario
