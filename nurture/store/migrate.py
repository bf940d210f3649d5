"""Alembic from Python: the CLI, the demo and the tests migrate without a shell or a cwd."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import nurture
from nurture.store.db import make_engine

ROOT = Path(nurture.__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    """The repository's alembic.ini, pointed at ``url`` whatever the working directory."""
    config = Config(ROOT / "alembic.ini")
    # ConfigParser interpolation would read a %-escaped password as a reference.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Safe to run at every start: revisions already applied are skipped."""
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
