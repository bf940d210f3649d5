"""The migrations build exactly the schema of the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, inspect

from nurture.store.db import make_engine
from nurture.store.migrate import alembic_config, current, upgrade
from nurture.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "empty_postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


def schema_diff(url: str, metadata: MetaData = Base.metadata) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diff: list[Any] = compare_metadata(MigrationContext.configure(connection), metadata)
            return diff
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_the_models_schema(empty_url: str) -> None:
    upgrade(empty_url)

    assert schema_diff(empty_url) == []


def test_downgrade_drops_everything_and_upgrade_runs_again(empty_url: str) -> None:
    config = alembic_config(empty_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    upgrade(empty_url)
    assert current(empty_url) == head

    command.downgrade(config, "base")
    assert current(empty_url) is None
    assert table_names(empty_url) == {"alembic_version"}

    upgrade(empty_url)
    assert current(empty_url) == head
    assert schema_diff(empty_url) == []


def test_the_comparison_sees_a_drift(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["contacts"].append_column(Column("throwaway", Integer))
    drifted.tables["contacts"].c.country.type = String(3)

    diff = schema_diff(sqlite_url, drifted)

    changes = [change for item in diff for change in (item if isinstance(item, list) else [item])]
    assert sorted((change[0], change[2]) for change in changes) == [
        ("add_column", "contacts"),
        ("modify_type", "contacts"),
    ]
