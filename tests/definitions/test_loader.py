import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nurture.definitions.loader import load_workspace
from nurture.domain.steps import SendStep, WaitStep
from nurture.domain.workspace import Workspace
from nurture.errors import DefinitionError

ROOT = Path(__file__).parents[2]
JOURNEYS = ROOT / "example"
TEMPLATES = ROOT / "example" / "templates"

JOURNEY = """\
id: j
name: J
entry:
  stages: [lead]
steps:
  - id: hello
    type: send
    template: welcome
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A workspace of the example settings and scoring, without journeys."""
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("workspace.yaml", "scoring.yaml"):
        shutil.copy(JOURNEYS / name, folder / name)
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        load_workspace(folder, TEMPLATES)
    return raised.value.problems


# --- the example workspace ------------------------------------------------------------


def test_example_workspace_loads() -> None:
    workspace = load_workspace(JOURNEYS, TEMPLATES)
    welcome = workspace.journey("welcome")
    assert welcome.first == SendStep("welcome", "welcome")
    assert any(isinstance(step, WaitStep) for step in welcome.steps)
    assert workspace.definitions["welcome"]["id"] == "welcome"
    assert workspace.handoff.sla == timedelta(hours=8)
    assert workspace.lifecycle.mql_grades <= set(workspace.scoring.grade_names)


def test_example_workspace_templates_all_exist() -> None:
    workspace = load_workspace(JOURNEYS, TEMPLATES)
    for journey in workspace.journeys:
        for step in journey.steps:
            if isinstance(step, SendStep):
                assert (TEMPLATES / f"{step.template}.html").is_file()


def test_a_valid_journey_is_loaded(folder: Path) -> None:
    (folder / "j.yaml").write_text(JOURNEY)
    workspace = load_workspace(folder, TEMPLATES)
    assert [journey.id for journey in workspace.journeys] == ["j"]
    assert workspace.journey("j").steps == (SendStep("hello", "welcome"),)


# --- one problem per broken file, exactly -----------------------------------------------

BROKEN = {
    "yaml-syntax": (
        JOURNEY.replace("  stages: [lead]", "  stages: [lead"),
        "5:6: YAML syntax error: expected ',' or ']', but got ':'",
    ),
    "unknown-key": (
        JOURNEY.replace("entry:", "colour: red\nentry:"),
        "3:1: unknown key 'colour': remove it or check its spelling",
    ),
    "wrong-type": (
        JOURNEY.replace("entry:", "priority: high\nentry:"),
        "3:11: priority: Input should be a valid integer, unable to parse string as an integer",
    ),
    "missing-required-key": (
        JOURNEY.replace("name: J\n", ""),
        "1:1: 'name' is required: add it",
    ),
    "unknown-step-type": (
        JOURNEY.replace("type: send", "type: sms"),
        "6:5: steps[0]: unknown step type: use one of send, wait, wait_for, branch, split, "
        "update, notify, handoff, goto, end",
    ),
    "bad-duration": (
        JOURNEY + "  - {id: pause, type: wait, duration: 2 days}\n",
        "9:39: steps[1].duration: '2 days' is not a duration: "
        "write a number and a unit (w, d, h, m, s), e.g. 2d or 1d 12h",
    ),
    "duplicate-step-id": (
        JOURNEY + "  - {id: hello, type: wait, duration: 1d}\n",
        "9:10: duplicate step id 'hello': step ids must be unique",
    ),
    "unknown-band": (
        JOURNEY.replace("  stages: [lead]", "  stages: [lead]\n  bands: [warm, tepid]"),
        "5:17: unknown band 'tepid': use one of cold, warm, hot",
    ),
    "unknown-goal-event": (
        JOURNEY.replace("steps:", "goals:\n  - event: demo_requsted\nsteps:"),
        "6:12: unknown event type 'demo_requsted': did you mean 'demo_requested'? "
        "(custom types go under event_types in workspace.yaml)",
    ),
}


@pytest.mark.parametrize(("text", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_journey_gives_one_exact_problem(folder: Path, text: str, expected: str) -> None:
    path = folder / "broken.yaml"
    path.write_text(text)
    assert problems(folder) == [f"{path}:{expected}"]


def test_missing_template_names_the_file_to_create(folder: Path) -> None:
    path = folder / "broken.yaml"
    path.write_text(JOURNEY.replace("template: welcome", "template: nope"))
    assert problems(folder) == [
        f"{path}:8:15: template 'nope' not found: create {TEMPLATES / 'nope.html'}"
    ]


def test_duplicate_journey_id_across_two_files(folder: Path) -> None:
    (folder / "a.yaml").write_text(JOURNEY)
    (folder / "b.yaml").write_text(JOURNEY)
    assert problems(folder) == [
        f"{folder / 'b.yaml'}:1:5: journey id 'j' is already used by "
        f"{folder / 'a.yaml'}: give each journey its own id"
    ]


def test_missing_workspace_file(folder: Path) -> None:
    (folder / "workspace.yaml").unlink()
    (folder / "j.yaml").write_text(JOURNEY)
    assert problems(folder) == [
        f"{folder / 'workspace.yaml'}:1:1: missing: every workspace needs workspace.yaml"
    ]


def test_missing_folder(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: no such workspace folder (give --workspace DIR or set NURTURE_WORKSPACE)"
    ]


def test_top_level_that_is_not_a_mapping(folder: Path) -> None:
    path = folder / "list.yaml"
    path.write_text("- id: j\n")
    assert problems(folder) == [f"{path}:1:1: expected a mapping of keys (key: value) at the top"]


def test_every_problem_of_a_file_is_listed(folder: Path) -> None:
    path = folder / "broken.yaml"
    path.write_text(JOURNEY.replace("name: J\n", "").replace("template: welcome", "tmpl: x"))
    assert problems(folder) == [
        f"{path}:1:1: 'name' is required: add it",
        f"{path}:5:5: 'steps[0].template' is required: add it",
        f"{path}:7:5: unknown key 'tmpl': did you mean 'template'?",
    ]


def test_loading_is_all_or_nothing(folder: Path) -> None:
    (folder / "a-good.yaml").write_text(JOURNEY.replace("id: j", "id: good"))
    (folder / "z-good.yaml").write_text(JOURNEY.replace("id: j", "id: also-good"))
    bad = folder / "m-bad.yaml"
    bad.write_text(JOURNEY.replace("id: j", "id: bad").replace("type: send", "type: sms"))
    found = problems(folder)
    assert found
    assert all(problem.startswith(f"{bad}:") for problem in found)


def test_invalid_fit_regex_is_refused(folder: Path) -> None:
    scoring = folder / "scoring.yaml"
    lines = scoring.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("bands:"))
    lines.insert(at, '  - {id: broken, field: job_title, matches: "(CEO", points: 1}\n')
    scoring.write_text("".join(lines))
    found = problems(folder)
    assert len(found) == 1
    assert found[0].startswith(f"{scoring}:{at + 1}:")


# --- never anything but a Workspace or a DefinitionError --------------------------------

SOURCES = {path.name: path.read_text() for path in sorted(JOURNEYS.glob("*.yaml"))}
YAML_BITS = [*":[]{},'\"#|>~\t\n", ": ", "- ", "  ", "&a ", "*a", "!!str ", "!!int ", "? "]
YAML_BITS += ["-1", "2d", "lead", "wait", "<<: "]


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, str]:
    """One example file with a few slices replaced by YAML punctuation or random text."""
    name = draw(st.sampled_from(sorted(SOURCES)))
    text = SOURCES[name]
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 30)))
        text = text[:start] + draw(st.sampled_from(YAML_BITS) | st.text(max_size=6)) + text[end:]
    return name, text


random_file = st.tuples(
    st.sampled_from(["workspace.yaml", "scoring.yaml", "journey.yaml"]), st.text(max_size=200)
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_file() | random_file)
@example(("journey.yaml", "id: x\ndescription: 2026-13-45\n"))
@example(("scoring.yaml", "bands: {cold: \x00}\n"))
def test_any_text_gives_a_workspace_or_a_definition_error(file: tuple[str, str]) -> None:
    name, text = file
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for source, content in SOURCES.items():
            (folder / source).write_text(content)
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            assert isinstance(load_workspace(folder, TEMPLATES), Workspace)
        except DefinitionError as error:
            assert error.problems
