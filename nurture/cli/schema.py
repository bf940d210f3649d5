"""``nurture schema``: the JSON Schema of journey files, for editors' YAML language server."""

from __future__ import annotations

import json

import typer

from nurture.cli.app import app
from nurture.definitions.journey_schema import journey_json_schema


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of journey files."""
    typer.echo(json.dumps(journey_json_schema(), indent=2, sort_keys=True))
