"""`nurture init DIR`: a new workspace that validates, simulates and whose tests pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from nurture.cli import app


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_a_new_workspace_validates_simulates_and_passes_its_own_tests(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    created = CliRunner().invoke(app, ["init", str(folder)])
    assert created.exit_code == 0, created.output
    for part in ("workspace.yaml", "scoring.yaml", "welcome.yaml", "templates/welcome.html"):
        assert (folder / part).is_file(), part
    assert "scenarios/first-lead.yaml" in created.output

    cli = ("-c", "from nurture.cli import main; main()")
    validated = _run(*cli, "validate", cwd=folder)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    simulated = _run(*cli, "simulate", "scenarios/first-lead.yaml", "--json", cwd=folder)
    assert simulated.returncode == 0, simulated.stderr
    assert '"kind": "sent"' in simulated.stdout
    tested = _run("-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", cwd=folder)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout


def test_init_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert refused.exit_code != 0
    assert "not empty" in str(refused.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
