"""`nurture simulate` gives, byte for byte, the output recorded in tests/simulation/golden/.

The timeline is the contract: a change to how the simulator runs (batching, caching, the
throwaway database's settings) must not move one entry. Each case is run as a marketer runs
it, in the example workspace; rerecord only for a change of behaviour, never of speed::

    .venv/bin/python tests/simulation/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture.cli import app

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
MINE = "../tests/simulation/golden/scenarios"

CASES: dict[str, tuple[str, ...]] = {
    "ana.txt": ("scenarios/ana.yaml",),
    "ana.jsonl": ("scenarios/ana.yaml", "--json"),
    "sales-and-clicks.txt": ("scenarios/sales-and-clicks.yaml",),
    "sales-and-clicks.jsonl": ("scenarios/sales-and-clicks.yaml", "--json"),
    "check-folder.txt": ("--check", "scenarios"),
    "check-wrong.txt": ("--check", f"{MINE}/wrong.yaml"),
    "early.txt": (f"{MINE}/early.yaml",),
    "same-moment.jsonl": (f"{MINE}/same-moment.yaml", "--json"),
    "same-moment.txt": (f"{MINE}/same-moment.yaml",),
    "first-lead.jsonl": (
        "--workspace",
        "../nurture/scaffold",
        "scenarios/first-lead.yaml",
        "--json",
    ),
    "generated.txt": ("--contacts", "60", "--days", "45"),
    "generated.jsonl": ("--contacts", "60", "--days", "45", "--json"),
}


def _run(args: tuple[str, ...]) -> str:
    """The command's exit code and both streams, run in process (as `nurture simulate`)."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("NURTURE_")}
    here = Path.cwd()
    os.chdir(ROOT / "example")
    try:
        result = CliRunner().invoke(app, ["simulate", *args])
    finally:
        os.chdir(here)
        os.environ.update(saved)
    # The progress bar shows the elapsed time: the only line that may differ.
    stderr = "".join(
        line
        for line in result.stderr.splitlines(keepends=True)
        if not line.startswith("simulating")
    )
    return f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{stderr}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_output_is_the_recorded_one_byte_for_byte(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert _run(CASES[name]) == expected


if __name__ == "__main__":
    for name, args in CASES.items():
        (GOLDEN / name).write_text(_run(args), encoding="utf-8")
        print(name)
