"""Every SQL statement is named once, in the store: no module outside nurture/store builds one.

The check reads each module's syntax tree: importing SQL builders from SQLAlchemy (``select``,
``text``, ``func``, ...), calling them on the ``sqlalchemy`` module, ``<session>.query(...)``,
and running a string of SQL (``execute("...")``) are what it reports, as ``file:line``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "nurture"

BUILDERS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "func",
        "case",
        "union",
        "union_all",
        "and_",
        "or_",
        "not_",
        "exists",
        "bindparam",
        "literal_column",
        "cast",
    }
)
"""What SQLAlchemy builds statements and clauses with."""

RUNNERS = frozenset({"execute", "exec_driver_sql", "executemany", "scalar", "scalars"})
"""Methods that run a statement; given a string they run SQL written on the spot."""

ALLOWED = (
    # The store itself: where the statements are named.
    "store/",
    # Measurement tooling: its baselines run raw SQL on purpose (permanent).
    "bench/",
)
"""Folders and modules of nurture/ that may build SQL, as paths relative to nurture/."""


def sql_built(source: str) -> list[tuple[int, str]]:
    """Each place ``source`` builds or runs SQL of its own: (line, what)."""
    tree = ast.parse(source)
    aliases = {"sqlalchemy"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [
                (node.lineno, f"imports {a.name} from {node.module}")
                for a in node.names
                if a.name in BUILDERS
            ]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr in BUILDERS
        ):
            found.append((node.lineno, f"uses {node.value.id}.{node.attr}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "query":
                found.append((node.lineno, "calls .query()"))
            elif node.func.attr in RUNNERS and node.args and _is_text(node.args[0]):
                found.append((node.lineno, f"runs a string with .{node.func.attr}()"))
    return sorted(found)


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return isinstance(node, ast.JoinedStr)


def _allowed(relative: str) -> bool:
    return relative.startswith(ALLOWED)


def test_no_module_outside_the_store_builds_sql() -> None:
    problems = [
        f"nurture/{relative}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if not _allowed(relative := path.relative_to(PACKAGE).as_posix())
        for line, what in sql_built(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "name these statements in nurture/store/statements:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("entry", [e for e in ALLOWED if e != "store/"])
def test_each_allowed_entry_still_builds_sql(entry: str) -> None:
    """An entry that excuses nothing any more is stale: remove it from ALLOWED."""
    path = PACKAGE / entry
    modules = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    assert any(sql_built(m.read_text(encoding="utf-8")) for m in modules), entry


@pytest.mark.parametrize(
    ("source", "line", "what"),
    [
        ("from sqlalchemy import select\n", 1, "imports select from sqlalchemy"),
        ("x = 1\nfrom sqlalchemy.sql import text\n", 2, "imports text from sqlalchemy.sql"),
        ("import sqlalchemy as sa\nq = sa.func.count()\n", 2, "uses sa.func"),
        ("import sqlalchemy\nq = sqlalchemy.select(1)\n", 2, "uses sqlalchemy.select"),
        ("session.query(Contact).all()\n", 1, "calls .query()"),
        ("c.execute('DELETE FROM contacts')\n", 1, "runs a string with .execute()"),
        ("c.exec_driver_sql(f'SELECT {n}')\n", 1, "runs a string with .exec_driver_sql()"),
        ("s.scalar('SELECT ' + n)\n", 1, "runs a string with .scalar()"),
    ],
)
def test_the_check_reports_sql_built_in_place(source: str, line: int, what: str) -> None:
    assert sql_built(source) == [(line, what)]


def test_the_check_lets_named_statements_run() -> None:
    source = (
        "from sqlalchemy import Connection, Engine\n"
        "from sqlalchemy.orm import Session\n"
        "from nurture.store.statements import contacts\n"
        "session.execute(contacts.OF_EMAIL, {'email': 'a@example.com'})\n"
        "session.scalars(statement).all()\n"
    )
    assert sql_built(source) == []
