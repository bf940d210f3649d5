"""Lint templates: every variable a template reads must be one the engine provides.

The context is what :func:`nurture.delivery.compose.compose` passes: ``contact`` (the fields
of ``engine.send.core.contact_context``), ``sender``, ``unsubscribe_url``, ``journey``, ``step``
and ``subject``. A typo such as ``contact.frist_name`` is reported at its template line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta, nodes

from nurture.delivery.sandbox import BoundedSandbox
from nurture.domain.contacts import PROFILE_FIELDS

CONTACT_FIELDS = frozenset(PROFILE_FIELDS) | {"stage", "score", "band", "grade", "attributes"}
SENDER_FIELDS = frozenset({"from_email", "from_name", "postal_address"})
CONTEXT = frozenset(
    {"contact", "sender", "unsubscribe_url", "preferences_url", "journey", "step", "subject"}
)
PARTS = (".subject", ".html", ".txt")

_env = BoundedSandbox()
"""Its operators are never folded at parse time, so ``{{ 9**(9**9) }}`` cannot hang the lint."""


def lint_source(source: str, where: str, first_line: int = 1) -> list[str]:
    """Problems of one template text; ``where`` is the ``path`` the lines are counted in."""
    try:
        tree = _env.parse(source)
    except TemplateSyntaxError as exc:
        return [f"{where}:{(exc.lineno or 1) + first_line - 1}:1: template syntax: {exc.message}"]
    problems = []
    for name in sorted(meta.find_undeclared_variables(tree) - CONTEXT):
        line = _first_line(tree, name)
        problems.append(
            f"{where}:{line + first_line - 1}:1: unknown template variable '{name}': "
            f"{_hint(name, CONTEXT)}"
        )
    for node in tree.find_all(nodes.Getattr):
        if not isinstance(node.node, nodes.Name):
            continue
        fields = {"contact": CONTACT_FIELDS, "sender": SENDER_FIELDS}.get(node.node.name)
        if fields is None or node.attr in fields:
            continue
        extra = (
            f" (custom attributes are read as contact.attributes.{node.attr})"
            if node.node.name == "contact"
            else ""
        )
        problems.append(
            f"{where}:{node.lineno + first_line - 1}:1: unknown template variable "
            f"'{node.node.name}.{node.attr}': {_hint(node.attr, fields)}{extra}"
        )
    return problems


def lint_template(folder: Path, name: str, seen: set[Path]) -> list[str]:
    """Problems of ``NAME.subject/.html/.txt`` and the layouts they extend, each file once."""
    problems: list[str] = []
    queue = [folder / f"{name}{part}" for part in PARTS]
    while queue:
        path = queue.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        source = path.read_text(encoding="utf-8")
        problems += lint_source(source, str(path))
        try:
            tree = _env.parse(source)
        except TemplateSyntaxError:
            continue
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            target = getattr(node, "template", None)
            if not isinstance(target, nodes.Const):
                continue
            ref = folder / str(target.value)
            if ref.is_file():
                queue.append(ref)
            else:
                problems.append(f"{path}:{node.lineno}:1: '{target.value}' is not in {folder}")
    return problems


def _first_line(tree: nodes.Template, name: str) -> int:
    lines = [n.lineno for n in tree.find_all(nodes.Name) if n.name == name]
    return min(lines, default=1)


def _hint(name: str, known: Iterable[str]) -> str:
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(choices)}"
