"""Values converted by store/converted.py are stored byte for byte as SQLAlchemy's own bind
processing stores them: compared as the driver reads them back (sqlite3, psycopg), not
through the ORM, which would convert both back to equal Python values."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import nurture.engine.intake.changes as changes
from nurture.bench.data import START, contacts, events_for
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.clock import ManualClock
from nurture.engine.contacts import import_contacts
from nurture.engine.ingest import ingest_events
from nurture.engine.sweeps import DUE
from nurture.formats import EventIn
from nurture.store import models
from nurture.store.converted import (
    execute_one,
    first_autocommitted,
    insert_many,
    read_all,
    select_one,
    update_many,
)
from nurture.store.db import make_engine
from nurture.store.statements import contacts as contact_statements
from nurture.store.statements import enrollments, messages
from nurture.store.statements.rows import insert_rows, update_by_id

Stored = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_server_url")


def _contact(n: int, moment: datetime, **more: Any) -> dict[str, Any]:
    """A contacts row with every required column: ``n`` its id and address, ``moment`` its times."""
    return {
        "id": n,
        "email": f"{n}@example.org",
        "attributes": {},
        "stage": "subscriber",
        "score": 0,
        "band": "cold",
        "grade": "D",
        "stage_changed_at": moment,
        "created_at": moment,
        "updated_at": moment,
        **more,
    }


def _raw(url: str) -> Stored:
    """Every table as the driver returns it: SQLite's stored values, PostgreSQL's row text."""
    tables = models.Base.metadata.sorted_tables
    names = [table.name for table in tables]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as connection:
            return {
                table.name: connection.execute(
                    "SELECT "
                    + ", ".join(f"{c.name}, typeof({c.name})" for c in table.columns)
                    + f" FROM {table.name} ORDER BY 1"
                ).fetchall()
                for table in tables
            }
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection:
        return {
            name: connection.execute(f"SELECT t::text FROM {name} AS t ORDER BY 1").fetchall()
            for name in names
        }


def _insert_through_sqlalchemy(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> None:
    connection.execute(insert_rows(table), rows)


def _update_through_sqlalchemy(
    connection: Connection, table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    connection.execute(update_by_id(table, columns), rows)


def _events() -> list[EventIn]:
    late = START + timedelta(days=40)
    found = events_for(300)
    return [
        *found,
        EventIn(id="u-1", email=found[1].email, type="unsubscribed", at=late),
        EventIn(id="u-2", email=found[2].email, type="spam_reported", at=late),
        EventIn(
            id="u-3",
            email="zoned@example.org",
            type="demo_requested",
            at=late.astimezone(timezone(timedelta(hours=5, minutes=30))),
            properties={"note": 'čšž \u2603 "quoted"', "nested": {"n": [1, 2.5, None]}},
        ),
        EventIn(
            id="u-4",
            email=found[4].email,
            type="email_bounced",
            at=late,
            properties={"bounce_type": "hard"},
        ),
    ]


def _ingested(server_url: str | None, folder: Path) -> Stored:
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            list(import_contacts(rt, contacts(120)[::2]))
            list(ingest_events(rt, _events(), chunk=64))
        finally:
            rt.engine.dispose()
        return _raw(url)


def test_intake_stores_what_sqlalchemys_bind_processing_stores(
    server_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    converted = _ingested(server_url, tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(changes, "insert_many", _insert_through_sqlalchemy)
        patch.setattr(changes, "update_many", _update_through_sqlalchemy)
        processed = _ingested(server_url, tmp_path)
    assert converted["events"] and converted["score_ledger"] and converted["handoffs"]
    for name, rows in processed.items():
        assert converted[name] == rows, name


Insert = Callable[[Connection, Table, list[dict[str, Any]]], None]
Update = Callable[[Connection, Table, tuple[str, ...], list[dict[str, Any]]], None]


def _written(url: str, insert: Insert, update: Update) -> Stored:
    engine = make_engine(url)
    moment = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    zoned = moment.astimezone(timezone(-timedelta(hours=3)))
    try:
        with engine.begin() as connection:
            insert(
                connection,
                models.Contact.__table__,
                [_contact(n, moment, attributes={"n": n}) for n in (1, 2)],
            )
            insert(
                connection,
                models.Event.__table__,
                [
                    {
                        "id": n,
                        "source_id": f"s-{n}",
                        "contact_id": 1,
                        "type": "page_viewed",
                        "properties": properties,
                        "occurred_at": at,
                        "received_at": moment,
                    }
                    for n, (properties, at) in enumerate(
                        [
                            ({}, moment),
                            ({"x": None, "é": "\u2603"}, moment.replace(microsecond=7)),
                            ({"n": [1.5, -0.0, 10**20]}, zoned),
                            ({"s": '"\\\n'}, datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)),
                        ],
                        start=1,
                    )
                ],
            )
            update(
                connection,
                models.Contact.__table__,
                ("owner", "last_active_at", "score"),
                [
                    {"_id": 1, "_owner": "Ana Š", "_last_active_at": zoned, "_score": -3},
                    {"_id": 2, "_owner": None, "_last_active_at": None, "_score": 7},
                ],
            )
        return _raw(url)
    finally:
        engine.dispose()


def test_odd_values_are_stored_alike(server_url: str | None, tmp_path: Path) -> None:
    """Zones other than UTC, microseconds, a year under 1000, unicode and nested JSON, NULLs."""
    with scratch_database(server_url, tmp_path) as a, scratch_database(server_url, tmp_path) as b:
        converted = _written(a, insert_many, update_many)
        processed = _written(b, _insert_through_sqlalchemy, _update_through_sqlalchemy)
    assert converted["events"] and converted["contacts"]
    assert converted == processed


Run = Callable[[Connection, Any, dict[str, Any]], Any]


def _through_sqlalchemy(connection: Connection, statement: Any, params: dict[str, Any]) -> Any:
    return connection.execute(statement, params)


def _delivered(url: str, run: Run) -> tuple[list[Any], Stored]:
    """Delivery's statements run one by one in autocommit: what the checks found, the tables."""
    engine = make_engine(url)
    moment = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
    zoned = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    try:
        with engine.begin() as connection:
            insert_many(
                connection,
                models.Contact.__table__,
                [
                    _contact(
                        1, moment, lease_owner="token", lease_until=moment + timedelta(minutes=5)
                    )
                ],
            )
            for n in (1, 2, 3):
                connection.execute(
                    insert_rows(models.Message.__table__),
                    {
                        "id": n,
                        "uid": f"uid-{n}",
                        "idempotency_key": f"key-{n}",
                        "contact_id": 1,
                        "journey_id": "j",
                        "step_id": "s",
                        "template": "t",
                        "subject": None,
                        "status": "pending",
                        "provider": "null",
                        "provider_message_id": None,
                        "error": None,
                        "created_at": moment,
                        "sent_at": None,
                        "enrollment_id": None,
                    },
                )
        found = []
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            ready = contact_statements.READY_TO_SEND
            for uid, token, now in [
                ("uid-1", "token", zoned),
                ("uid-1", "another", moment),
                ("uid-2", "token", moment + timedelta(minutes=5)),
            ]:
                found.append(
                    run(
                        connection, ready, {"message_uid": uid, "token": token, "now": now}
                    ).scalar()
                )
            run(
                connection,
                messages.MARK_SENT,
                {"message_uid": "uid-1", "provider_id": "p-é", "at": zoned},
            )
            run(
                connection,
                messages.MARK_SENT,
                {"message_uid": "uid-1", "provider_id": "again", "at": moment},
            )
            run(connection, messages.MARK_FAILED, {"message_uid": "uid-2", "error": "refused"})
            found.append(
                run(
                    connection, ready, {"message_uid": "uid-1", "token": "token", "now": moment}
                ).scalar()
            )
            found.append(run(connection, messages.SUPPRESSED, {"emails": ["1@example.org"]}).all())
        return found, _raw(url)
    finally:
        engine.dispose()


def test_one_statement_runs_as_sqlalchemy_runs_it(server_url: str | None, tmp_path: Path) -> None:
    """Delivery's check and marks: the same rows found, the same values stored."""
    with scratch_database(server_url, tmp_path) as a, scratch_database(server_url, tmp_path) as b:
        converted = _delivered(a, execute_one)
        processed = _delivered(b, _through_sqlalchemy)
    assert converted[0] == [1, None, None, None, []]
    assert converted == processed


def test_one_row_reads_as_sqlalchemy_reads_it(server_url: str | None, tmp_path: Path) -> None:
    """The time traveller's due moments: the same values, times as aware UTC datetimes."""
    moment = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
    with scratch_database(server_url, tmp_path) as url:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                insert_many(
                    connection,
                    models.Contact.__table__,
                    [_contact(1, moment, decay_due_at=moment + timedelta(days=1))],
                )
            with engine.connect() as connection:
                statement = contact_statements.moments(DUE)
                converted = select_one(connection, statement, {})
                processed = dict(connection.execute(statement).one()._mapping)
        finally:
            engine.dispose()
    assert converted["decay"] == moment + timedelta(days=1)
    assert converted["decay"].tzinfo is not None
    assert converted == processed


class _First:
    """:func:`first_autocommitted`'s row, read as the other runs' results are."""

    def __init__(self, row: Any) -> None:
        self.row = row

    def scalar(self) -> Any:
        return None if self.row is None else self.row[0]

    def all(self) -> list[Any]:
        return [] if self.row is None else [self.row]


def _first(connection: Connection, statement: Any, params: dict[str, Any]) -> _First:
    return _First(first_autocommitted(connection, statement, params))


def test_first_autocommitted_runs_on_the_driver_as_sqlalchemy_runs_it(
    server_url: str | None, tmp_path: Path
) -> None:
    with scratch_database(server_url, tmp_path) as a, scratch_database(server_url, tmp_path) as b:
        raw = _delivered(a, _first)
        processed = _delivered(b, _through_sqlalchemy)
    assert raw[0] == [1, None, None, None, []]
    assert raw == processed


def test_a_driver_failure_reaches_the_caller_as_sqlalchemy_raises_it(
    server_url: str | None, tmp_path: Path
) -> None:
    """The mark's retry catches DBAPIError: a driver error must not slip past it raw."""
    with scratch_database(server_url, tmp_path) as url:
        engine = make_engine(url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.connection.dbapi_connection.close()  # type: ignore[union-attr]
                with pytest.raises(DBAPIError):
                    first_autocommitted(
                        connection,
                        messages.MARK_SENT,
                        {"message_uid": "u", "provider_id": "p", "at": START},
                    )
                assert connection.invalidated or server_url is None
        finally:
            engine.dispose()


def test_read_all_gives_the_values_sqlalchemy_gives(server_url: str | None, tmp_path: Path) -> None:
    """A send round's read at the driver: the same values, of the same types and zones
    (compared by repr: equal instants in other zones would pass ``==``)."""
    moment = datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)
    times = [moment, datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), moment + timedelta(days=1)]
    with scratch_database(server_url, tmp_path) as url:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert_rows(models.Journey.__table__),
                    {"id": "j", "name": "J", "current_version": 1, "updated_at": moment},
                )
                connection.execute(
                    insert_rows(models.JourneyVersion.__table__),
                    {
                        "id": 1,
                        "journey_id": "j",
                        "version": 1,
                        "digest": "d",
                        "definition": {},
                        "created_at": moment,
                    },
                )
                connection.execute(
                    insert_rows(models.Contact.__table__),
                    [
                        {
                            "id": n,
                            "email": f"{n}@example.org",
                            "first_name": "Žana" if n % 2 else None,
                            "company_size": n,
                            "attributes": {"plan": "ünï", "nested": {"n": [1, 2.5, None]}},
                            "stage": "lead",
                            "score": n,
                            "band": "cold",
                            "grade": "C",
                            "owner": None,
                            "stage_changed_at": moment,
                            "created_at": moment,
                            "updated_at": moment,
                        }
                        for n in (1, 2, 3)
                    ],
                )
                connection.execute(
                    insert_rows(models.Enrollment.__table__),
                    [
                        {
                            "id": 10 + n,
                            "contact_id": 1 + n % 3,
                            "journey_id": "j",
                            "version_id": 1,
                            "status": "active" if n != 4 else "completed",
                            "current_step": "s",
                            "step_entered_at": times[n % 3],
                            "next_run_at": None if n == 2 else times[(n + 1) % 3],
                            "attempts": 0,
                            "last_error": None,
                            "exit_reason": None,
                            "path": {"visits": {"s": n}},
                            "enrolled_at": moment,
                            "finished_at": None,
                        }
                        for n in range(6)
                    ],
                )
            ids = {"enrollment_ids": [10, 11, 12, 13, 14, 15, 99]}
            statement = enrollments.ACTIVE_WITH_CONTACTS
            with engine.connect() as connection:
                read = read_all(connection, statement, ids)
                processed = connection.execute(statement, ids).all()
        finally:
            engine.dispose()
    assert len(read) == 5
    assert sorted(repr(tuple(row)) for row in read) == sorted(repr(tuple(r)) for r in processed)


def test_read_all_keeps_the_two_instants_of_a_fall_back_hour_apart(
    server_url: str | None, tmp_path: Path
) -> None:
    """psycopg gives times in the session's zone: in Berlin 00:30Z and 01:30Z on 25 October
    2026 are both 02:30 local, equal to Python but for ``fold``; neither may take the other's."""
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    times = [first, first + timedelta(hours=1)]
    with scratch_database(server_url, tmp_path) as url:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                insert_many(
                    connection,
                    models.Contact.__table__,
                    [_contact(n, moment) for n, moment in enumerate(times, start=1)],
                )
            with engine.connect() as connection:
                if server_url is not None:
                    connection.exec_driver_sql("SET TIME ZONE 'Europe/Berlin'")
                rows = read_all(connection, contact_statements.OF_IDS, {"contact_ids": [1, 2]})
        finally:
            engine.dispose()
    created = models.Contact.__table__.columns.keys().index("created_at")
    assert sorted(row[created] for row in rows) == times
