"""A list of values as one bind parameter: one JSON array, read back as rows by the database
(``json_each`` on SQLite, ``json_array_elements_text`` on PostgreSQL).

An expanding ``IN`` renders one placeholder per value: each chunk's 500 emails or ids made a
new statement that SQLAlchemy rendered, the driver parsed (and PostgreSQL planned) anew. With
the list in one parameter the statement's text never changes: compiled once, prepared once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, bindparam, cast, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import String


class json_values(GenericFunction[Any]):
    """The elements of a JSON array, one row each, in a column named ``value``."""

    name = "json_each"
    inherit_cache = True


@compiles(json_values, "postgresql")
def _json_values_postgresql(element: json_values, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS JSON))"


def in_list(column: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> ColumnElement[bool]:
    """``column IN`` the values of the list given as parameter ``name``."""
    values = json_values(bindparam(name, type_=JSON)).table_valued("value")
    value: ColumnElement[Any] = values.c.value
    if not isinstance(column.type, String):  # PostgreSQL reads each element as text
        value = cast(value, column.type)
    return column.in_(select(value))
