"""Engines and sessions. SQLite runs in WAL mode with foreign keys on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from nurture.errors import ConfigError
from nurture.store.models import Base

_STRICT = json.JSONEncoder(allow_nan=False)
"""``json.dumps(value, allow_nan=False)``, whose keyword makes a new encoder on every call."""


def _strict_json(value: Any) -> str:
    """JSON as the standard defines it: NaN or Infinity raise instead of being written."""
    return _STRICT.encode(value)


def make_engine(url: str, *, throwaway: bool = False, **options: Any) -> Engine:
    """An engine for ``url``; a URL SQLAlchemy cannot use, or a driver that is not installed,
    is a one-line ConfigError saying what to change or install.

    ``throwaway`` (SQLite only, for a database nobody keeps: the simulator's) never waits
    for the disk: no fsync, nothing a crash would need.
    """
    options.setdefault("json_serializer", _strict_json)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"NURTURE_DATABASE_URL {url!r} is not a database URL: use sqlite:///FILE or "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, **options)
            event.listen(engine, "connect", _sqlite_pragmas)
            if throwaway:
                event.listen(engine, "connect", _throwaway_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True, **options)
    except NoSuchModuleError:
        raise ConfigError(
            f"NURTURE_DATABASE_URL {redacted(parsed)}: unknown driver "
            f"{parsed.drivername!r}: use postgresql+psycopg:// or sqlite:///"
        ) from None
    except ImportError as exc:
        raise ConfigError(
            f"NURTURE_DATABASE_URL {redacted(parsed)} needs the {exc.name or 'database'} "
            "driver, which is not installed: pip install 'psycopg[binary]' "
            "(it comes with nurture: reinstall it with `pip install -e .`)"
        ) from None


def redacted(url: str | URL) -> str:
    """The URL as a user may see it in an error: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _throwaway_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def checkpoint(engine: Engine) -> None:
    """Fold SQLite's write-ahead log into the file, so that the file alone holds the database."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_migrated(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def clear_all(engine: Engine) -> None:
    """Delete every row of nurture's tables (the demo's --reset), keeping the schema."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
