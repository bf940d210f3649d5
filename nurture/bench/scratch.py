"""Throwaway databases and a workspace of its own for each benchmark.

A benchmark never touches the user's data: on SQLite it works in files of a temporary folder,
on PostgreSQL in a scratch database created on the given server and dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nurture.clock import Clock
from nurture.delivery.providers import OutgoingEmail
from nurture.engine.boot import open_runtime
from nurture.engine.runtime import Runtime
from nurture.settings import load_settings
from nurture.store.db import make_engine
from nurture.store.migrate import upgrade
from nurture.store.models import Base


class NullProvider:
    """Takes every email and keeps nothing: sending costs only what the engine does."""

    name = "null"

    def __init__(self) -> None:
        self.sent = 0

    def send(self, email: OutgoingEmail) -> str:
        self.sent += 1
        return email.message_uid


def backend(url: str | None) -> str:
    return "sqlite" if url is None else make_url(url).get_backend_name()


@contextmanager
def scratch_database(
    server_url: str | None, folder: Path, *, alembic: bool = False
) -> Iterator[str]:
    """The URL of an empty database with nurture's schema; removed on exit.

    ``alembic`` builds the schema with the migrations (what the CLI insists on) instead of
    the faster create_all; tests/store/test_migrations.py proves both give the same schema.
    """
    if backend(server_url) == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        try:
            _create_schema(url, alembic)
            yield url
        finally:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        return
    assert server_url is not None
    name = f"nurture_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            _create_schema(url, alembic)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def settle(rt: Runtime) -> None:
    """After a bulk load: fold the WAL into the database and refresh the planner's statistics,
    the state a long-running deployment is in."""
    if rt.engine.dialect.name == "sqlite":
        with rt.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        return
    with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def _create_schema(url: str, alembic: bool) -> None:
    if alembic:
        upgrade(url)
        return
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def bench_runtime(url: str, folder: Path, clock: Clock, provider: NullProvider) -> Runtime:
    """The engine on ``url`` with the bench workspace, a manual clock and the null provider."""
    settings = load_settings(
        database_url=url, outbox_dir=folder / "outbox", workspace=write_workspace(folder)
    )
    return open_runtime(settings, clock=clock, provider=provider)


def write_workspace(folder: Path) -> Path:
    """The bench workspace: the example scoring and lifecycle, and one 6-step journey."""
    workspace = folder / "workspace"
    templates = workspace / "templates"
    (templates / "layouts").mkdir(parents=True, exist_ok=True)
    workspace.mkdir(parents=True, exist_ok=True)
    for name, content in WORKSPACE.items():
        (workspace / name).write_text(content, encoding="utf-8")
    for name, content in TEMPLATES.items():
        (templates / name).write_text(content, encoding="utf-8")
    return workspace


WORKSPACE = {
    "workspace.yaml": """\
sender:
  from_email: hello@acme.example
  from_name: Acme Marketing
  postal_address: Acme Analytics d.o.o., Slovenska cesta 1, 1000 Ljubljana, Slovenia
timezone: Europe/Ljubljana
lifecycle:
  lead_events: [subscribed, content_downloaded, form_submitted, webinar_attended, demo_requested]
  mql: {score: 40, grades: [A, B]}
handoff:
  team: [maja.novak@acme.example, luka.horvat@acme.example, ana.kovac@acme.example]
  sla: 8h
""",
    "scoring.yaml": """\
behaviour:
  - {id: newsletter, event: subscribed, points: 0}
  - {id: ebook-download, event: content_downloaded, where: {content_type: ebook}, points: 5}
  - {id: whitepaper-download, event: content_downloaded, where: {content_type: whitepaper}, points: 5}
  - {id: pricing-visit, event: page_viewed, where: {url: "/pricing*"}, points: 10}
  - {id: demo-request, event: demo_requested, points: 20}
  - {id: webinar-attended, event: webinar_attended, points: 10}
  - {id: email-click, event: email_clicked, points: 2}
fit:
  - {id: c-level, field: job_title, matches: "\\\\b(CEO|CTO|CMO|CFO|COO|CIO|Chief)\\\\b", points: 15}
  - {id: vp-director, field: job_title, matches: "\\\\b(VP|Vice President|Head of|Director)\\\\b", points: 10}
  - {id: mid-market, field: company_size, gte: 50, points: 10}
  - {id: student, field: job_title, matches: "\\\\bstudent\\\\b", points: -30}
  - {id: free-mail, field: email_domain, in: [gmail.com, outlook.com], points: -10}
bands: {cold: 0, warm: 15, hot: 40}
grades: {D: -1000, C: 0, B: 10, A: 25}
""",
    "nurture.yaml": """\
id: nurture
name: Six-step nurture
priority: 10
entry:
  stages: [lead]
goals:
  - stage: mql
steps:
  - {id: welcome, type: send, template: welcome}
  - {id: pause, type: wait, duration: 2d}
  - {id: guide, type: send, template: guide}
  - {id: pause-2, type: wait, duration: 5d}
  - {id: case-study, type: send, template: case-study}
  - {id: cool-down, type: wait, duration: 14d}
""",
}

_BODY = {
    "welcome": "Thanks for joining. Every other week we send one practical idea for turning "
    "{% if contact.company %}{{ contact.company }}'s{% else %}your{% endif %} data into decisions.",
    "guide": "Here is the guide most {{ contact.industry or 'data' }} teams start with: three "
    "dashboards that answer the questions asked every Monday.",
    "case-study": "How a {{ contact.company_size or 'growing' }}-person team cut reporting time "
    "in half{% if contact.country %} (also in {{ contact.country }}){% endif %}.",
}

TEMPLATES = {
    "layouts/base.html": """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body style="font-family: Helvetica, Arial, sans-serif; color: #222; max-width: 600px;">
  {% block body %}{% endblock %}
  <hr>
  <p style="font-size: 12px; color: #777;">
    {{ sender.from_name }} &middot; {{ sender.postal_address }}<br>
    <a href="{{ unsubscribe_url }}">Unsubscribe</a>
  </p>
</body>
</html>
""",
    "layouts/base.txt": """\
{% block body %}{% endblock %}

--
{{ sender.from_name }}, {{ sender.postal_address }}
Unsubscribe: {{ unsubscribe_url }}
""",
}
for _name, _body in _BODY.items():
    TEMPLATES[f"{_name}.subject"] = f"{_name.replace('-', ' ').title()}, " + (
        '{{ contact.first_name or "there" }}\n'
    )
    TEMPLATES[f"{_name}.html"] = (
        '{% extends "layouts/base.html" %}\n{% block body %}\n'
        '<h1>Hello {{ contact.first_name or "there" }}!</h1>\n'
        f'<p>{_body}</p>\n<p><a href="https://acme.example/{_name}">Read on</a></p>\n'
        "{% endblock %}\n"
    )
    TEMPLATES[f"{_name}.txt"] = (
        '{% extends "layouts/base.txt" %}\n{% block body %}'
        'Hello {{ contact.first_name or "there" }}!\n\n'
        f"{_body}\nRead on: https://acme.example/{_name}"
        "{% endblock %}\n"
    )
