"""The one claim protocol: lease rows to an owner, fence every write on it, renew, release.

A claimable table has an integer ``id`` and two columns, ``lease_owner`` and ``lease_until``.
A claim takes due rows whose lease is free (never taken, or expired) in one guarded UPDATE
that re-checks the lease is free. PostgreSQL reads the candidates ``FOR UPDATE SKIP LOCKED``
so concurrent claimers take disjoint rows without waiting; SQLite has no row locks, so the
claim runs in ``BEGIN IMMEDIATE``, which holds the database's write lock from the first read.

Every write made under a claim is fenced: :func:`renew` moves ``lease_until`` on, only where
``lease_owner`` is still the caller's token, and says which rows are still held. Run first
in a transaction it also locks those rows until the commit (PostgreSQL) or holds the write
lock (SQLite), so nobody can take them between the check and the writes that follow.

Contacts (their due steps, decay and SLA checks) and handoff notifications are claimed this
way; :class:`Retry` is the backoff both use after a failed attempt.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    Select,
    Table,
    Update,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from nurture.store import models
from nurture.store.converted import execute_one
from nurture.store.statements.lists import in_list


@dataclass(frozen=True)
class Claimable:
    """A table whose rows are claimed, by its ``id``, ``lease_owner`` and ``lease_until``."""

    table: Table

    @property
    def id(self) -> ColumnElement[int]:
        return self.table.c.id

    def free(self, now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
        """Never leased, released, or expired."""
        until = self.table.c.lease_until
        return or_(until.is_(None), until <= now)


_NOW: BindParameter[datetime] = bindparam("now")


CONTACTS = Claimable(models.Contact.__table__)  # type: ignore[arg-type]
NOTIFICATIONS = Claimable(models.Notification.__table__)  # type: ignore[arg-type]


@contextmanager
def claiming(engine: Engine) -> Iterator[Connection]:
    """A transaction for claims: ``BEGIN IMMEDIATE`` on SQLite, committed on success."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection
        connection.commit()


def claim(
    connection: Connection,
    claimable: Claimable,
    due: Select[Any],
    now: datetime,
    owner: str,
    lease: timedelta,
    limit: int,
) -> list[int]:
    """Lease to ``owner`` up to ``limit`` free rows among the ids ``due`` selects.

    ``due`` reads the time as ``:now`` (and may read ``:limit``), puts the most overdue first
    and may already be limited; rows another claimer holds locked are skipped, not waited
    for. Its two statements are built once per ``due`` and run pre-compiled
    (store/converted.py): a scheduler or a time traveller claims again and again, and
    building them cost about what running them does.
    """
    pick, lease_them = _claim(claimable, due, limit, connection.dialect.name)
    found = execute_one(connection, pick, {"now": now, "limit": limit})
    candidates = [row[0] for row in found]
    if not candidates:
        return []
    values = {"ids": candidates, "now": now, "owner": owner, "until": now + lease}
    return sorted(row[0] for row in execute_one(connection, lease_them, values))


@cache
def _claim(
    claimable: Claimable, due: Select[Any], limit: int, dialect: str
) -> tuple[Select[Any], Update]:
    pick = (
        select(claimable.id)
        .where(claimable.id.in_(due.scalar_subquery()), claimable.free(_NOW))
        .limit(limit)
    )
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    lease_them = (
        update(claimable.table)
        .where(in_list(claimable.id, "ids"), claimable.free(_NOW))
        .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"))
        .returning(claimable.id)
    )
    return pick, lease_them


def take(
    connection: Connection,
    claimable: Claimable,
    ids: Sequence[int],
    owner: str,
    token: str,
    now: datetime,
    lease: timedelta,
) -> list[int]:
    """Move the leases of ``ids`` from ``owner`` (or from nobody) to ``token``.

    A broker delivers at least once: the copy of a message that comes second, or late after
    its claim was re-issued, finds the lease under another token and takes nothing.
    """
    taken = connection.scalars(
        _take(claimable),
        {"ids": list(ids), "from_owner": owner, "now": now, "token": token, "until": now + lease},
    )
    return sorted(taken)


@cache
def _take(claimable: Claimable) -> Update:
    t = claimable.table
    return (
        update(t)
        .where(
            claimable.id.in_(bindparam("ids", expanding=True)),
            or_(t.c.lease_owner == bindparam("from_owner"), claimable.free(_NOW)),
        )
        .values(lease_owner=bindparam("token"), lease_until=bindparam("until"))
        .returning(claimable.id)
    )


def renew(
    connection: Connection, claimable: Claimable, ids: Sequence[int], token: str, until: datetime
) -> set[int]:
    """Extend ``token``'s leases of ``ids`` to ``until``; the ids it still holds (the fence)."""
    values = {"ids": list(ids), "token": token, "until": until}
    return {row[0] for row in execute_one(connection, _renew(claimable), values)}


@cache
def _renew(claimable: Claimable) -> Update:
    """Built once per table and run pre-compiled: a run renews before every round and every
    email, and building the statement, then SQLAlchemy's execute, cost more than running it."""
    t = claimable.table
    return (
        update(t)
        .where(in_list(claimable.id, "ids"), t.c.lease_owner == bindparam("token"))
        .values(lease_until=bindparam("until"))
        .returning(claimable.id)
    )


def release(
    connection: Connection, claimable: Claimable, token: str, ids: Sequence[int] | None = None
) -> int:
    """Give back ``token``'s leases (all, or of ``ids``): the work is done or handed back.

    Run pre-compiled. Without ``ids`` it reads every row's owner (there is no index on it);
    with them, those rows only."""
    values = {"token": token} if ids is None else {"token": token, "ids": list(ids)}
    return execute_one(connection, _release(claimable, ids is not None), values).rowcount


@cache
def _release(claimable: Claimable, listed: bool) -> Update:
    t = claimable.table
    query = update(t).where(t.c.lease_owner == bindparam("token"))
    if listed:
        query = query.where(in_list(claimable.id, "ids"))
    return query.values(lease_owner=None, lease_until=None)


def hand_back(
    connection: Connection, claimable: Claimable, ids: Sequence[int], token: str, owner: str
) -> None:
    """After a failed run: the leases ``token`` still holds go back to ``owner`` (its retry)."""
    t = claimable.table
    connection.execute(
        update(t)
        .where(claimable.id.in_(list(ids)), t.c.lease_owner == token)
        .values(lease_owner=owner)
    )


def live(connection: Connection, claimable: Claimable, now: datetime) -> int:
    """How many rows are under a live lease: claimed work not yet done."""
    t = claimable.table
    return connection.scalar(select(func.count()).select_from(t).where(t.c.lease_until > now)) or 0


@dataclass(frozen=True)
class Retry:
    """What follows a failed attempt: exponential backoff with jitter and a cap, then failure.

    Durations are in the clock's time (a deployment's settings are real seconds, converted
    by the composition root as the lease is).
    """

    max_attempts: int = 5
    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.2
    """Up to this share of the wait is added at random, so failures do not retry in step."""

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def wait(self, attempts: int, chance: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failure: first, 2x, 4x ... at most ``cap``."""
        base: timedelta = min(self.first * (2 ** max(0, attempts - 1)), self.cap)
        spread = (chance or random).random() * self.jitter
        return base * (1 + spread)
