"""``nurture validate``: check workspace files the way an editor or CI would."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, settings_for
from nurture.errors import DefinitionError


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Workspace folders or files in them.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Check workspace files; print path:line:col: message for each problem (exit 1)."""
    from nurture.definitions.loader import load_workspace

    settings = settings_for(workspace)
    targets = paths or [settings.workspace]
    problems = [f"{p}: no such file or folder" for p in targets if not p.exists()]
    folders = sorted({p if p.is_dir() else p.parent for p in targets if p.exists()})
    for folder in folders:
        try:
            load_workspace(folder)
        except DefinitionError as exc:
            problems += exc.problems
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: {', '.join(map(str, folders))}")
