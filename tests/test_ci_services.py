"""In CI a test that needs a missing service fails; on a laptop it skips with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def _run_postgres_migration_test(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "NURTURE_REQUIRE_SERVICES", "NURTURE_TEST_POSTGRES_URL")
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "postgres",
            "tests/store/test_migrations.py",
        ],
        cwd=ROOT,
        env={**clean, "NURTURE_TEST_POSTGRES_URL": UNREACHABLE, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("flag", [{"CI": "true"}, {"NURTURE_REQUIRE_SERVICES": "1"}])
def test_unreachable_postgres_fails_the_migration_test_in_ci(flag: dict[str, str]) -> None:
    result = _run_postgres_migration_test(**flag)
    assert result.returncode == 1, result.stdout
    assert "PostgreSQL unreachable at 127.0.0.1:1" in result.stdout
    assert " skipped" not in result.stdout.splitlines()[-1]


def test_unreachable_postgres_skips_on_a_laptop() -> None:
    result = _run_postgres_migration_test()
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout.splitlines()[-1]
