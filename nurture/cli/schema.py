"""``nurture schema``: JSON Schemas of workspace files, for editors' YAML language server."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer

from nurture.cli.app import app


@app.command()
def schema(
    kind: Annotated[
        Literal["journey", "scoring"], typer.Argument(help="journey files, or scoring.yaml")
    ] = "journey",
) -> None:
    """Print the JSON Schema (draft 2020-12) of journey files or of the scoring model."""
    from nurture.definitions.journey_schema import journey_json_schema
    from nurture.definitions.scoring_schema import scoring_schema

    found = journey_json_schema() if kind == "journey" else scoring_schema()
    typer.echo(json.dumps(found, indent=2, sort_keys=True))
