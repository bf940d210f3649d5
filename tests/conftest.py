"""Service fixtures shared by all tests, and the store's consistency checks.

A service comes from its NURTURE_TEST_*_URL variable. Without it, or when nothing answers
there, its tests skip on a laptop and fail in CI (CI=true or NURTURE_REQUIRE_SERVICES=1),
so that CI can never pass by skipping them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import pytest
from sqlalchemy import JSON, Engine, cast, create_engine, func, make_url, select, text
from sqlalchemy import Text as SAText
from sqlalchemy.orm import Session

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


def _consistency_problems(engine: Engine, now: datetime) -> list[str]:
    """What must hold in any store after any input: the fuzz suites check it after each case.

    Every JSON column holds JSON as the standard defines it (no NaN or Infinity), no contact
    was created after ``now``, and every contact's score is the sum of its ledger.
    """
    from nurture.store import models

    def strict(token: str) -> None:
        raise ValueError(f"{token} in a JSON column")

    problems = []
    with Session(engine) as session:
        for table in models.Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, JSON):
                    continue
                for value in session.scalars(select(cast(column, SAText))):
                    try:
                        json.loads(value, parse_constant=strict)
                    except ValueError as exc:
                        problems.append(f"{table.name}.{column.name}: {exc}: {value[:80]}")
        future = session.scalars(
            select(models.Contact.email).where(models.Contact.created_at > now)
        ).all()
        problems += [f"{email} created after {now.isoformat()}" for email in future]
        ledger = (
            select(models.ScoreEntry.contact_id, func.sum(models.ScoreEntry.points).label("sum"))
            .group_by(models.ScoreEntry.contact_id)
            .subquery()
        )
        wrong = session.execute(
            select(models.Contact.email, models.Contact.score, ledger.c.sum)
            .outerjoin(ledger, ledger.c.contact_id == models.Contact.id)
            .where(models.Contact.score != func.coalesce(ledger.c.sum, 0))
        ).all()
        problems += [
            f"{email}: score {score} but ledger sums to {total}" for email, score, total in wrong
        ]
    return problems


@pytest.fixture
def store_consistency() -> Callable[[Engine, datetime], list[str]]:
    """``store_consistency(engine, now)``: the problems found in a store (see above); [] is good."""
    return _consistency_problems


# Headless Chromium for the pages (the report, the charts, the console). The Debian package
# `chromium`, installed here with apt-get when missing and running as root; skipped with the
# reason otherwise, except under CI, where a missing browser fails the test.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find_chromium()
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)
        found = _find_chromium()
    if found is None:
        _unavailable("headless Chromium not found: install the Debian package `chromium`")
    return found


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium (a fresh profile) for the module's pages."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page_of(browser: Any) -> Iterator[dict[str, Any]]:
    """A new page, with the console errors and the requests it makes."""
    opened: dict[str, Any] = {"errors": [], "requests": []}
    page = browser.new_page()
    page.on("console", lambda m: opened["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened["errors"].append(str(e)))
    page.on("request", lambda r: opened["requests"].append(r.url))
    opened["page"] = page
    try:
        yield opened
    finally:
        page.close()


def _engage(harness: Any, email: str, step: str, *kinds: str) -> None:
    """The provider's events for the email ``step`` sent to ``email``."""
    from sqlalchemy import select

    from nurture.store import models

    with harness.runtime.sessions() as session:
        uid, journey = session.execute(
            select(models.Message.uid, models.Message.journey_id)
            .join(models.Contact)
            .where(models.Contact.email == email, models.Message.step_id == step)
        ).one()
    for kind in kinds:
        harness.emit(email, kind, message_id=uid, journey=journey, step=step)


def walk_journeys(harness: Any) -> None:
    """Four new leads through the example journeys, each on a different path.

    Ana reads the welcome emails; Ben and Cat view the pricing page twice (hot-lead): Ben
    clicks the offer, Cat lets it time out and gets the reminder; Dan, a CMO who asks for a
    demo, becomes an MQL (the welcome's goal) and is handed off to sales, who turn him down:
    recycled, he rests two weeks in re-nurture, gets one side of its A/B split and, quiet,
    leaves by its `else` branch.
    """
    from nurture.engine import feedback

    people = ["ana@acme.example", "ben@beta.example", "cat@gamma.example"]
    for email in people:
        harness.contact(email, first_name=email.split("@")[0].title(), job_title="Analyst")
        harness.emit(email, "subscribed", form="newsletter")
    harness.contact("dan@delta.example", first_name="Dan", job_title="CMO", company_size=250)
    harness.emit("dan@delta.example", "subscribed", form="newsletter")
    _engage(harness, "ana@acme.example", "welcome", "email_delivered", "email_opened")
    harness.advance(hours=1)
    for email in people[1:]:
        harness.emit(email, "page_viewed", url="/pricing")
    harness.advance(hours=2)
    for email in people[1:]:
        harness.emit(email, "page_viewed", url="/pricing")
    harness.advance(hours=1)
    _engage(
        harness,
        "ben@beta.example",
        "pricing-help",
        "email_delivered",
        "email_opened",
        "email_clicked",
    )
    harness.advance(days=1)
    harness.emit("dan@delta.example", "demo_requested", form="demo")
    harness.advance(days=9)
    feedback.reject(harness.runtime, "dan@delta.example", "no budget this year")
    harness.advance(days=25)


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A harness (example workspace, migrated SQLite) after :func:`walk_journeys`."""
    from nurture.clock import ManualClock
    from nurture.store.migrate import upgrade
    from nurture.testing import DEFAULT_START, make_harness

    folder = tmp_path_factory.mktemp("walked")
    upgrade(f"sqlite:///{folder / 'nurture.db'}")  # migrated, so the commands accept it
    harness = make_harness(folder, ManualClock(DEFAULT_START), EXAMPLE)
    walk_journeys(harness)
    yield harness
    harness.runtime.engine.dispose()
