"""``nurture init``: start a new workspace folder that validates and whose tests pass."""

from __future__ import annotations

import json
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import app, out
from nurture.errors import InputError


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="The new workspace folder (new or empty).")],
) -> None:
    """Create a workspace: a journey, its templates, scoring, a scenario and a passing test."""
    import shutil

    from nurture.definitions.journey_schema import journey_json_schema
    from nurture.definitions.loader import load_workspace
    from nurture.definitions.scoring_schema import scoring_schema

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: already exists and is not empty: choose a new folder")
    with as_file(files("nurture") / "scaffold") as scaffold:
        shutil.copytree(
            scaffold, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    schemas = folder / "schema"
    schemas.mkdir()
    for name, found in (("journey", journey_json_schema()), ("scoring", scoring_schema())):
        (schemas / f"{name}.schema.json").write_text(
            json.dumps(found, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    load_workspace(folder)
    out.print(f"created the workspace {folder}:", highlight=False)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out.print(f"  {path.relative_to(folder)}", highlight=False)
    out.print(
        f"next: cd {folder} && nurture validate && nurture simulate scenarios/first-lead.yaml"
        " && pytest tests",
        highlight=False,
    )
