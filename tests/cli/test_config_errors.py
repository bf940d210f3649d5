"""Every configuration error is one line on stderr (exit 2), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLOSED = "127.0.0.1:9"  # the discard port: nothing listens there on a test machine


def _nurture(tmp_path: Path, *args: str, before: str = "pass", **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    code = f"import sys; {before}; from nurture.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines


def test_a_missing_postgresql_driver_says_what_to_install(tmp_path: Path) -> None:
    (line,) = _nurture(
        tmp_path,
        "db",
        "upgrade",
        before="sys.modules['psycopg'] = None",  # as if psycopg were not installed
        NURTURE_DATABASE_URL="postgresql+psycopg://nurture:s3cret@db.example/nurture",
    )
    assert line.startswith("error: NURTURE_DATABASE_URL postgresql+psycopg://nurture:***@")
    assert "s3cret" not in line
    assert "pip install 'psycopg[binary]'" in line


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg3://u@h/db", "unknown driver 'postgresql+psycopg3'"),
        ("postgresql+psycopg://u@h:port/db", "is not a database URL"),
        (f"postgresql+psycopg://postgres:s3cret@{CLOSED}/nurture", "cannot reach the database"),
    ],
)
def test_a_wrong_database_url_is_one_line(tmp_path: Path, url: str, says: str) -> None:
    (line,) = _nurture(tmp_path, "report", NURTURE_DATABASE_URL=url)
    assert says in line
    assert "s3cret" not in line


def test_a_broker_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    (line,) = _nurture(tmp_path, "dlq", "list", NURTURE_BROKER_URL=f"redis://{CLOSED}/0")
    assert line.startswith("error: cannot reach the broker of NURTURE_BROKER_URL:")


def test_a_folder_that_is_no_workspace_is_one_line(tmp_path: Path) -> None:
    from nurture.store.migrate import upgrade

    database = f"sqlite:///{tmp_path / 'nurture.db'}"
    upgrade(database)
    (line,) = _nurture(tmp_path, "tick", NURTURE_DATABASE_URL=database)
    assert line == (
        f"error: {tmp_path}: not a workspace (no workspace.yaml or scoring.yaml): give "
        "--workspace DIR, set NURTURE_WORKSPACE, or start one with `nurture init DIR`"
    )
