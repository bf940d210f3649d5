"""The JSON Schema of journey files: printed by `nurture schema`, kept in the repository."""

import json
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nurture.cli import app
from nurture.definitions.journey_schema import journey_json_schema
from nurture.definitions.loader import load_workspace
from nurture.errors import DefinitionError

ROOT = Path(__file__).parents[2]
SCHEMA_FILE = ROOT / "schema" / "journey.schema.json"
EXAMPLES = sorted(
    p for p in (ROOT / "example").glob("*.yaml") if p.name not in ("workspace.yaml", "scoring.yaml")
)


def test_the_schema_file_is_what_nurture_schema_prints() -> None:
    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == json.loads(SCHEMA_FILE.read_text())
    assert json.loads(printed.stdout) == journey_json_schema()
    assert journey_json_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_journeys_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/journey.schema.json"


def test_the_schema_knows_every_step_type() -> None:
    schema = journey_json_schema()
    kinds = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {}) and "const" in d["properties"]["type"]
    }
    assert kinds == {
        "send",
        "wait",
        "wait_for",
        "branch",
        "split",
        "update",
        "notify",
        "handoff",
        "goto",
        "end",
    }


def _mutations(data: object, rng: random.Random) -> object:
    """A random edit somewhere in the tree: drop, retype or rename a key, or change a value."""
    if isinstance(data, dict) and data:
        key = rng.choice(list(data))
        choice = rng.randrange(4)
        copy = dict(data)
        if choice == 0:
            del copy[key]
        elif choice == 1:
            copy[key + "x"] = copy.pop(key)
        elif choice == 2:
            copy[key] = rng.choice([None, 3, "zz", [], {}, True, -1.5])
        else:
            copy[key] = _mutations(copy[key], rng)
        return copy
    if isinstance(data, list) and data:
        copy_list = list(data)
        i = rng.randrange(len(copy_list))
        copy_list[i] = _mutations(copy_list[i], rng) if rng.random() < 0.7 else "goto"
        return copy_list
    return rng.choice([None, 0, "x", ["a"], {"a": 1}, "2d", "mql"])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), which=st.sampled_from(EXAMPLES), rounds=st.integers(1, 4))
def test_mutated_journeys_load_or_fail_cleanly(
    tmp_path_factory, seed: int, which: Path, rounds: int
) -> None:
    rng = random.Random(seed)
    data: object = yaml.safe_load(which.read_text())
    for _ in range(rounds):
        data = _mutations(data, rng)
    folder = tmp_path_factory.mktemp("ws")
    for name in ("workspace.yaml", "scoring.yaml"):
        (folder / name).write_text((ROOT / "example" / name).read_text())
    (folder / which.name).write_text(yaml.safe_dump(data))
    try:
        load_workspace(folder, ROOT / "example" / "templates")
    except DefinitionError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.startswith(f"{folder}"), problem
            assert "Traceback" not in problem


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_random_text_in_a_journey_file_fails_cleanly(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("ws")
    for name in ("workspace.yaml", "scoring.yaml"):
        (folder / name).write_text((ROOT / "example" / name).read_text())
    (folder / "j.yaml").write_text("id: j\nname: J\nentry: {stages: [lead]}\nsteps:\n" + text)
    try:
        load_workspace(folder, ROOT / "example" / "templates")
    except DefinitionError as exc:
        assert all(p.startswith(str(folder)) for p in exc.problems)
