from pathlib import Path

import pytest

from nurture.definitions.yamlsource import Document, read_document
from nurture.errors import DefinitionError

TEXT = """\
id: welcome
entry:
  stages: [lead, recycled]
steps:
  - id: hello
    type: send
  - {id: pause, type: wait, duration: 2d}
"""


@pytest.fixture
def doc(tmp_path: Path) -> Document:
    path = tmp_path / "welcome.yaml"
    path.write_text(TEXT)
    return read_document(path)


def test_data_is_the_plain_yaml(doc: Document) -> None:
    assert doc.data["steps"][1] == {"id": "pause", "type": "wait", "duration": "2d"}


@pytest.mark.parametrize(
    ("loc", "position"),
    [
        ([], (1, 1)),
        (["id"], (1, 5)),
        (["entry"], (3, 3)),
        (["entry", "stages"], (3, 11)),
        (["entry", "stages", 1], (3, 18)),
        (["steps", 0], (5, 5)),
        (["steps", 0, "type"], (6, 11)),
        (["steps", 1, "duration"], (7, 39)),
    ],
)
def test_where_points_at_the_value(doc: Document, loc: list[str | int], position: tuple) -> None:
    assert doc.where(loc) == position


@pytest.mark.parametrize(
    ("loc", "position"),
    [(["id"], (1, 1)), (["entry", "stages"], (3, 3)), (["steps", 1, "duration"], (7, 29))],
)
def test_where_at_key_points_at_the_key(
    doc: Document, loc: list[str | int], position: tuple
) -> None:
    assert doc.where(loc, at_key=True) == position


def test_missing_key_points_at_its_parent(doc: Document) -> None:
    assert doc.where(["steps", 0, "template"]) == doc.where(["steps", 0])
    assert doc.where(["steps", 7]) == doc.where(["steps"])


def test_parts_not_in_the_file_are_stepped_over(doc: Document) -> None:
    assert doc.where(["steps", 1, "wait", "duration"]) == (7, 39)


def test_error_formats_path_line_col(doc: Document) -> None:
    message = doc.error(["steps", 0, "type"], "bad type")
    assert message == f"{doc.path}:6:11: bad type"


def test_empty_file_has_no_data_and_points_at_the_start(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n")
    doc = read_document(path)
    assert doc.data is None
    assert doc.where(["id"]) == (1, 1)


def test_syntax_error_is_a_definition_error_with_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: ok\nsteps: [a, b\nname: x\n")
    with pytest.raises(DefinitionError) as raised:
        read_document(path)
    assert raised.value.problems == [
        f"{path}:3:5: YAML syntax error: expected ',' or ']', but got ':'"
    ]


def test_python_tags_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(DefinitionError) as raised:
        read_document(path)
    (problem,) = raised.value.problems
    assert problem.startswith(f"{path}:1:5: YAML syntax error: could not determine a constructor")


def test_undecodable_file_is_a_definition_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Čebelica\n".encode("cp1250"))
    with pytest.raises(DefinitionError) as raised:
        read_document(path)
    (problem,) = raised.value.problems
    assert problem.startswith(f"{path}:1:1: cannot read the file: 'utf-8' codec")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("description: 2026-13-45\n", id="impossible-implicit-date"),
        pytest.param("priority: !!int many\n", id="bad-int-tag"),
        pytest.param("!!int\n", id="empty-int-tag"),
        pytest.param("ok: !!bool maybe\n", id="bad-bool-tag"),
        pytest.param("at: !!timestamp soon\n", id="bad-timestamp-tag"),
        pytest.param("name: a\x00b\n", id="nul-character"),
        pytest.param("name: a\x1bb\n", id="escape-character"),
        pytest.param("x: " + "[" * 700 + "]" * 700 + "\n", id="deep-nesting"),
    ],
)
def test_any_unreadable_yaml_is_one_definition_error_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError) as raised:
        read_document(path)
    (problem,) = raised.value.problems
    assert problem.startswith(f"{path}:")
    assert "\n" not in problem
