"""The JSON Schema of scoring.yaml: printed by `nurture schema scoring`, kept in the repository."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nurture.cli import app
from nurture.definitions.scoring_schema import scoring_schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_scoring_schema_file_is_what_nurture_schema_scoring_prints() -> None:
    printed = CliRunner().invoke(app, ["schema", "scoring"])
    assert printed.exit_code == 0, printed.output
    kept = json.loads((ROOT / "schema" / "scoring.schema.json").read_text())
    assert json.loads(printed.stdout) == scoring_schema() == kept


def test_the_example_scoring_model_points_editors_at_its_schema() -> None:
    first = (ROOT / "example" / "scoring.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/scoring.schema.json"


def test_an_unknown_schema_kind_is_refused() -> None:
    assert CliRunner().invoke(app, ["schema", "workspace"]).exit_code == 2
