"""nurture/reports builds no SQL: its statements are named in store/statements/reports/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nurture.reports

RUNNING = {"Connection", "Engine"}
"""What a report may take from SQLAlchemy: something to run the store's statements on."""


def sql_imports(source: str) -> list[str]:
    """The names a module imports from SQLAlchemy other than RUNNING (``*`` for a module)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [a.name for a in node.names if a.name not in RUNNING]
    return found


REPORTS = sorted(Path(nurture.reports.__file__).parent.glob("*.py"))


@pytest.mark.parametrize("module", REPORTS, ids=lambda p: p.name)
def test_a_report_module_imports_no_sql_construct(module: Path) -> None:
    assert sql_imports(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("from sqlalchemy import select, func", ["select", "func"]),
        ("from sqlalchemy.types import String", ["String"]),
        ("import sqlalchemy as sa", ["sqlalchemy"]),
        ("def f():\n    from sqlalchemy.sql import case", ["case"]),
        ("from sqlalchemy.engine import Connection", []),
        ("from nurture.store.statements.reports.sla import owner_events", []),
    ],
)
def test_the_check_sees_every_kind_of_import(source: str, names: list[str]) -> None:
    assert sql_imports(source) == names
