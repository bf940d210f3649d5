"""A contact's due work: what the scheduler claims contacts by, and when it is due next.

A contact is due when one of its active enrollments has a step due (``enrollments.next_run_at``),
its score decays (``contacts.decay_due_at``) or one of its handoffs' SLA is to be checked
(``handoffs.check_at``). Each is an index read; the claim (store/claims.py) leases the
contact, so all of its due work runs in one place at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, or_, select, union, update

from nurture.store import models
from nurture.store.statements.lists import in_list

_C, _E, _H = models.Contact, models.Enrollment, models.Handoff


_NOW: BindParameter[datetime] = bindparam("now")


_IDS: BindParameter[list[int]] = bindparam("contact_ids", expanding=True)


_FREE = (_C.lease_until.is_(None)) | (_C.lease_until <= _NOW)


@cache
def due(limit: int) -> Select[Any]:
    """The ids of free contacts with work due at ``:now``, the most overdue of each kind first."""
    steps = (
        select(_E.contact_id.label("id"))
        .join(_C, _C.id == _E.contact_id)
        .where(_E.next_run_at <= _NOW, _FREE)
        .order_by(_E.next_run_at)
        .limit(limit)
        .subquery()
    )
    decay = (
        select(_C.id.label("id"))
        .where(_C.decay_due_at <= _NOW, _FREE)
        .order_by(_C.decay_due_at)
        .limit(limit)
        .subquery()
    )
    checks = (
        select(_H.contact_id.label("id"))
        .join(_C, _C.id == _H.contact_id)
        .where(_H.check_at <= _NOW, _FREE)
        .order_by(_H.check_at)
        .limit(limit)
        .subquery()
    )
    every = union(*(select(kind.c.id) for kind in (steps, decay, checks))).subquery()
    return select(every.c.id)


NEXT_STEP_AFTER = select(func.min(_E.next_run_at)).where(_E.next_run_at > _NOW)


NEXT_DECAY_AFTER = select(func.min(_C.decay_due_at)).where(_C.decay_due_at > _NOW)


NEXT_CHECK_AFTER = select(func.min(_H.check_at)).where(_H.check_at > _NOW)


NEXT_FREE_STEP = (
    select(_E.next_run_at)
    .join(_C, _C.id == _E.contact_id)
    .where(
        _E.next_run_at.is_not(None),
        (_C.lease_until.is_(None)) | (_C.lease_until <= _E.next_run_at),
    )
    .order_by(_E.next_run_at)
    .limit(1)
)
"""The earliest step whose contact is free at its due time (time travel's next stop)."""


NEXT_LEASE_END = (
    select(func.min(_C.lease_until))
    .join(_E, _E.contact_id == _C.id)
    .where(_E.next_run_at.is_not(None), _C.lease_until > _E.next_run_at)
)
"""When the earliest lease over a due step ends (add ``next_run_at < :free`` to narrow)."""


NEXT_DECAY = select(func.min(_C.decay_due_at))


def moments(kinds: Mapping[str, Select[Any]]) -> Select[Any]:
    """One row, the next moments: ``free_step`` (:data:`NEXT_FREE_STEP`), ``lease_end`` (the
    :data:`NEXT_LEASE_END` over the steps due before it) and each of ``kinds`` by its name."""
    return _moments(tuple(kinds.items()))


@cache
def _moments(kinds: tuple[tuple[str, Select[Any]], ...]) -> Select[Any]:
    free = NEXT_FREE_STEP.scalar_subquery()
    before = or_(free.is_(None), _E.next_run_at < free)
    return select(
        free.label("free_step"),
        NEXT_LEASE_END.where(before).scalar_subquery().label("lease_end"),
        *(query.scalar_subquery().label(name) for name, query in kinds),
    )


NEXT_CHECK = select(func.min(_H.check_at))


DECAY_DUE = select(_C.id).where(_C.id.in_(_IDS), _C.decay_due_at <= _NOW).order_by(_C.id)
"""The ids of the claimed contacts whose score decays now."""


def next_due_after(now: datetime) -> list[Select[Any]]:
    """Reads of the next moment contact work falls due after ``now``."""
    return [
        query.params(now=now) for query in (NEXT_STEP_AFTER, NEXT_DECAY_AFTER, NEXT_CHECK_AFTER)
    ]


CLEAR_LEASES = (
    update(_C).where(_C.lease_owner.is_not(None)).values(lease_owner=None, lease_until=None)
)
"""Every contact lease dropped (a benchmark between rounds)."""


READY_TO_SEND = (
    select(models.Message.id)
    .join(_C, _C.id == models.Message.contact_id)
    .where(
        models.Message.uid == bindparam("message_uid"),
        models.Message.status == "pending",
        _C.lease_owner == bindparam("token"),
        _C.lease_until > _NOW,
    )
)
"""Right before a provider call: the message still waits to go out and its contact's lease
is the run's and live (no row: another run owns the contact, sent the message, or it
failed)."""


OF_EMAIL = select(_C).where(_C.email == bindparam("email"))
"""The contact of one address, if any (ORM row)."""


OF_EMAILS = select(_C.__table__).where(in_list(_C.email, "emails"))
"""Whole rows, columns in the table's order (intake's records are built from them)."""


OF_IDS = select(_C.__table__).where(in_list(_C.id, "contact_ids"))
"""Whole rows by id, as :data:`OF_EMAILS` (the upkeep's working set)."""


_SC = models.StageChange
MOVE_CREATION = (
    update(_SC)
    .where(
        _SC.contact_id == bindparam("_contact_id"),
        _SC.cause == "created",
        _SC.at == bindparam("_first"),
    )
    .values(at=bindparam("_moment"))
)
"""A backfilled contact's "created" history row follows its creation back in time."""


AFTER_ID = select(_C).where(_C.id > bindparam("after")).order_by(_C.id).limit(bindparam("limit"))
"""The next batch of contacts by id (a walk over every contact, one batch per transaction)."""


COUNT_BY_STAGE = select(_C.stage, func.count()).group_by(_C.stage)
"""How many contacts each stage holds (the report's funnel)."""


ANY = select(_C.id).limit(1)
"""Some contact's id: none when the database holds no contacts."""


_LISTED = select(_C.email, _C.stage, _C.score, _C.band, _C.grade, _C.owner, _C.updated_at)
_RECENT_FIRST = (_C.updated_at.desc(), _C.id)


RECENT = _LISTED.order_by(*_RECENT_FIRST).limit(bindparam("limit"))
"""The most recently updated contacts, with what a list of them shows."""


_ESCAPE = "/"


MATCHING = (
    _LISTED.where(_C.email.contains(bindparam("fragment"), escape=_ESCAPE))
    .order_by(*_RECENT_FIRST)
    .limit(bindparam("limit"))
)
"""Contacts whose address contains ``:fragment`` (escaped by :func:`like_fragment`), the most
recently updated first."""


def like_fragment(text: str) -> str:
    """``text`` to match literally in :data:`MATCHING` (``%`` and ``_`` are not wildcards)."""
    escaped = text.replace(_ESCAPE, _ESCAPE * 2)
    return escaped.replace("%", f"{_ESCAPE}%").replace("_", f"{_ESCAPE}_")
