"""Statements of the messages aggregate: the send keys, the marks, and what the rules read."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from nurture.store import models
from nurture.store.statements.lists import in_list

_M, _S, _E = models.Message, models.Suppression, models.Event


SOFT_BOUNCE_LIMIT = 3
"""Soft bounces in a row (no delivery between them) after which an address is suppressed."""


OF_ENROLLMENTS = select(_M.idempotency_key, _M.id, _M.uid, _M.status, _M.subject, _M.error).where(
    in_list(_M.enrollment_id, "enrollment_ids")
)
"""The enrollments' messages: what a send round needs to know of a step's message (its key,
uid and status), and the columns the round may change."""


MARK_SENT = (
    update(_M)
    .where(_M.uid == bindparam("message_uid"), _M.status == "pending")
    .values(status="sent", provider_message_id=bindparam("provider_id"), sent_at=bindparam("at"))
)
"""The provider took the email. A fact, recorded whoever holds the claim by then: dropping it
would have the next owner hand the email over again."""


MARK_FAILED = (
    update(_M)
    .where(_M.uid == bindparam("message_uid"), _M.status == "pending")
    .values(status="failed", error=bindparam("error"))
)
"""The provider refused the email for good (or it could not be rendered)."""


SUPPRESSED = select(_S.email).where(in_list(_S.email, "emails"))


_LATEST_BOUNCES = (
    select(
        _E.contact_id,
        _E.type,
        _E.properties,
        func.row_number()
        .over(partition_by=_E.contact_id, order_by=(_E.occurred_at.desc(), _E.id.desc()))
        .label("position"),
    )
    .where(
        in_list(_E.contact_id, "contact_ids"),
        _E.type.in_(("email_bounced", "email_delivered")),
    )
    .subquery()
)


LATEST_BOUNCES = (
    select(_LATEST_BOUNCES.c.contact_id, _LATEST_BOUNCES.c.type, _LATEST_BOUNCES.c.properties)
    .where(_LATEST_BOUNCES.c.position <= SOFT_BOUNCE_LIMIT)
    .order_by(_LATEST_BOUNCES.c.contact_id, _LATEST_BOUNCES.c.position)
)
"""Each contact's latest bounces and deliveries, newest first."""


COUNTED_BY_CAP = select(
    _M.contact_id, func.coalesce(_M.sent_at, _M.created_at), _M.idempotency_key
).where(
    in_list(_M.contact_id, "contact_ids"),
    _M.template.not_like("notify:%"),
    ((_M.status == "sent") & (_M.sent_at > bindparam("since")))
    | ((_M.status == "pending") & (_M.created_at > bindparam("since"))),
)
"""Emails the frequency cap counts: sent within its period, and pending ones (in flight, or
left by a run that stopped before its provider answered)."""


FAIL_PENDING_OF_STEP = (
    update(_M)
    .where(
        _M.enrollment_id == bindparam("of_enrollment"),
        _M.step_id == bindparam("of_step"),
        _M.status == "pending",
    )
    .values(status="failed", error=bindparam("error"))
)
"""The message of a step that failed for good, if it got one, failed with it."""


REOPEN_FAILED_OF_STEP = (
    update(_M)
    .where(
        _M.enrollment_id == bindparam("of_enrollment"),
        _M.step_id == bindparam("of_step"),
        _M.status == "failed",
    )
    .values(status="pending", error=None)
)
"""A failed step retried: its message waits again, under the same uid (the provider's
idempotency key), rather than counting as done."""


UIDS_OF_STEP = select(_M.uid).where(
    _M.enrollment_id == bindparam("enrollment_id"), _M.step_id == bindparam("step")
)
"""The uids of the emails an enrollment sent at a step (conditions about that step)."""


SENT_AMONG = (
    select(_M.id).where(_M.uid.in_(bindparam("uids", expanding=True)), _M.status == "sent").limit(1)
)


SENT_BY_UID = (
    select(_M.uid, models.Contact.email, _M.journey_id, _M.step_id)
    .join(models.Contact, models.Contact.id == _M.contact_id)
    .where(_M.uid == bindparam("uid"))
)
"""A sent message by its uid, with its contact's address (a tracked open, click or unsubscribe)."""


MESSAGES_OF = (
    select(_M).where(_M.contact_id == bindparam("contact_id")).order_by(_M.created_at, _M.id)
)
"""A contact's emails, oldest first (ORM rows)."""


MESSAGES_OF_AS_OF = MESSAGES_OF.where(_M.created_at <= bindparam("at"))
"""A contact's emails created by ``:at``, oldest first (ORM rows)."""


SENT_BY_STEP = (
    select(_M.journey_id, _M.step_id, func.count())
    .where(_M.status == "sent")
    .group_by(_M.journey_id, _M.step_id)
    .order_by(_M.journey_id, func.min(_M.id))
)
"""How many emails each journey step sent, steps in the order they first sent."""


LAST_SENT_OF_STEP = (
    select(_M.uid)
    .join(models.Contact, models.Contact.id == _M.contact_id)
    .where(
        models.Contact.email == bindparam("email"),
        _M.journey_id == bindparam("journey"),
        _M.step_id == bindparam("step"),
        _M.status == "sent",
        _M.sent_at <= bindparam("at"),
    )
    .order_by(_M.sent_at.desc(), _M.id.desc())
    .limit(1)
)
"""The uid of the latest email of a journey's step sent to an address by ``:at``."""
