"""YAML with positions: parse once, keep the node tree to point errors at line and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nurture.errors import DefinitionError


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and the nodes that say where each value was written."""

    path: Path
    data: Any
    root: yaml.Node | None

    def where(self, loc: Sequence[str | int], *, at_key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value at ``loc`` (of its key, with ``at_key``).

        A key that is missing from the file points at its parent mapping; path elements that
        are not in the file (such as a union's tag added by the validator) are stepped over.
        """
        node = self.root
        if node is None:
            return (1, 1)
        for index, part in enumerate(loc):
            found = _child(node, part)
            if found is not None:
                key, value = found
                node = key if at_key and index == len(loc) - 1 else value
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, loc: Sequence[str | int], message: str, *, at_key: bool = False) -> str:
        line, col = self.where(loc, at_key=at_key)
        return f"{self.path}:{line}:{col}: {message}"


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """The (key node, value node) for ``part`` under ``node``, if the file has it."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return key, value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item, item
    return None


class _Loader(yaml.SafeLoader):
    """The safe loader, turning a scalar it cannot convert into an error with a position."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {kind}: {exc}", node.start_mark
            ) from None


def read_document(path: Path) -> Document:
    """Parse a YAML file safely (no Python tags); any problem becomes a DefinitionError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path}:1:1: cannot read the file: {exc}"]) from None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise DefinitionError([f"{path}:{line}:{col}: YAML syntax error: {problem}"]) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise DefinitionError(
            [f"{path}:{line}:{col}: character {exc.character!r} is not allowed in YAML"]
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise DefinitionError([f"{path}:1:1: YAML error: {message}"]) from None
    except RecursionError:
        raise DefinitionError([f"{path}:1:1: nested too deeply to read"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(path, data, root)
