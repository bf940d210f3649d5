"""Alembic environment for nurture.

The URL comes from the caller's ``sqlalchemy.url``, else NURTURE_DATABASE_URL, else a local
SQLite file. A Connection in ``config.attributes["connection"]`` is used as is, so that a
program or a test can migrate the database it already holds open.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from nurture.store.db import make_engine
from nurture.store.models import Base
from nurture.store.types import UTCDateTime

DEFAULT_URL = "sqlite:///var/nurture.db"

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("NURTURE_DATABASE_URL")
        or DEFAULT_URL
    )


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our types as plain SQLAlchemy so that revision files never import nurture."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, sa.JSON) and isinstance(
        getattr(obj, "_variant_mapping", {}).get("postgresql"), JSONB
    ):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def configure(backend: str, **options: Any) -> None:
    """Batch mode on SQLite, whose ALTER TABLE cannot change or drop most things."""
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=backend == "sqlite",
        compare_type=True,
        render_item=render_item,
        **options,
    )


def run_migrations_offline() -> None:
    url = database_url()
    configure(
        sa.make_url(url).get_backend_name(),
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_with(connection: Connection) -> None:
    configure(connection.dialect.name, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    shared = config.attributes.get("connection")
    if shared is not None:
        run_with(shared)
        return
    engine = make_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            run_with(connection)
    finally:
        engine.dispose()


if config.config_file_name is not None and config.cmd_opts is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
