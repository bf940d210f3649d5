"""The broken corpus: each file under broken/ names, on its first line, the one exact problem
`nurture validate` must report for it (``# expect: LINE:COL: message``)."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture.cli import app
from nurture.definitions.loader import load_workspace
from nurture.errors import DefinitionError

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "example" / "templates"
CORPUS = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
SETTINGS = sorted((Path(__file__).parent / "broken").glob("*/*.yaml"))
"""Broken workspace.yaml and scoring.yaml files: each in a folder named for the file it replaces."""


def expected_line(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ").replace("TEMPLATES/", f"{TEMPLATES}/")


def workspace_with(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    (folder / "templates").symlink_to(TEMPLATES)
    for name in ("workspace.yaml", "scoring.yaml"):
        shutil.copy(ROOT / "example" / name, folder / name)
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


def settings_with(tmp_path: Path, broken: Path) -> Path:
    folder = workspace_with(tmp_path)
    shutil.copy(broken, folder / f"{broken.parent.name}.yaml")
    return folder


def problems_of(folder: Path, templates: Path = TEMPLATES) -> list[str]:
    with pytest.raises(DefinitionError) as raised:
        load_workspace(folder, templates)
    return raised.value.problems


def test_the_corpus_covers_every_check() -> None:
    assert len(CORPUS) >= 17


@pytest.mark.parametrize("broken", CORPUS, ids=[p.stem for p in CORPUS])
def test_broken_file_gives_its_exact_line(tmp_path: Path, broken: Path) -> None:
    folder = workspace_with(tmp_path, broken)
    assert problems_of(folder) == [f"{folder / broken.name}:{expected_line(broken)}"]


def test_the_corpus_covers_both_settings_files() -> None:
    assert {path.parent.name for path in SETTINGS} == {"workspace", "scoring"}
    assert len(SETTINGS) >= 10


@pytest.mark.parametrize("broken", SETTINGS, ids=[f"{p.parent.name}-{p.stem}" for p in SETTINGS])
def test_broken_settings_file_gives_its_exact_line(tmp_path: Path, broken: Path) -> None:
    folder = settings_with(tmp_path, broken)
    path = folder / f"{broken.parent.name}.yaml"
    assert problems_of(folder) == [f"{path}:{expected_line(broken)}"]


def test_a_template_variable_no_context_provides_is_reported_at_its_template_line(
    tmp_path: Path,
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "welcome.html").write_text(
        '{% extends "layouts/base.html" %}\n{% block body %}\n'
        "<p>Hi {{ contact.first_name }}</p>\n<p>{{ coupon_code }}</p>\n{% endblock %}\n"
    )
    folder = workspace_with(tmp_path, ROOT / "example" / "welcome.yaml")
    assert problems_of(folder, templates) == [
        f"{templates / 'welcome.html'}:4:1: unknown template variable 'coupon_code': "
        "use one of contact, journey, preferences_url, sender, step, subject, unsubscribe_url"
    ]


def test_nurture_validate_prints_the_lines_and_exits_1(tmp_path: Path) -> None:
    folder = workspace_with(tmp_path, *CORPUS[:3])
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{folder / path.name}:{expected_line(path)}" for path in CORPUS[:3]
    ]


def test_nurture_validate_the_example_workspace_exits_0() -> None:
    result = CliRunner().invoke(app, ["validate", "--workspace", str(ROOT / "example")])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == f"ok: {ROOT / 'example'}"


def test_one_invalid_file_refuses_the_whole_load(tmp_path: Path) -> None:
    good = ROOT / "example" / "welcome.yaml"
    folder = workspace_with(tmp_path, good, CORPUS[0])
    with pytest.raises(DefinitionError):
        load_workspace(folder, TEMPLATES)
