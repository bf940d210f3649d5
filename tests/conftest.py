"""Service fixtures shared by all tests.

A service comes from its NURTURE_TEST_*_URL variable. Without it, or when nothing answers
there, its tests skip on a laptop and fail in CI (CI=true or NURTURE_REQUIRE_SERVICES=1),
so that CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text

DEFAULT_PORTS = {"postgresql": 5432, "redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671}


def _services_required() -> bool:
    return os.environ.get("NURTURE_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"


def _unavailable(reason: str) -> NoReturn:
    if _services_required():
        pytest.fail(f"{reason} (services are required: CI=true or NURTURE_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def require_service(name: str, env_var: str) -> str:
    """The URL in ``env_var`` once its host:port accepts a connection; skip or fail otherwise."""
    url = os.environ.get(env_var)
    if not url:
        _unavailable(f"{name} not configured: set {env_var}")
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0], 0)
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as error:
        _unavailable(f"{name} unreachable at {host}:{port} ({env_var}): {error}")
    return url


@contextmanager
def _fresh_database(server_url: str) -> Iterator[str]:
    """A new PostgreSQL database on the server of ``server_url``, dropped on exit."""
    name = f"nurture_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    return require_service("PostgreSQL", "NURTURE_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A database of its own for the test session, shared by its tests."""
    with _fresh_database(postgres_server_url) as url:
        yield url


@pytest.fixture
def empty_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A database of its own for one test, for tests that need it empty (migrations)."""
    with _fresh_database(postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return require_service("Redis", "NURTURE_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    return require_service("RabbitMQ", "NURTURE_TEST_RABBITMQ_URL")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nurture.db'}"


EXAMPLE = Path(__file__).resolve().parents[1] / "example"


@pytest.fixture
def nurture_workspace() -> Path:
    """The project's own tests run on the example workspace (the plugin's fixture, overridden)."""
    return EXAMPLE
