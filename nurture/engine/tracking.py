"""Engagement that comes back through our own links: clicks, opens and unsubscribes.

Each is recorded as a normal event through :func:`ingest_event`, carrying the message id,
journey and step of the email it came from; the contact is the message's, never one named in
the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from nurture.engine.ingest import Ingested, ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.suppression import is_suppressed
from nurture.formats import EventIn
from nurture.store import models


@dataclass(frozen=True)
class SentMessage:
    uid: str
    email: str
    journey: str | None
    step: str | None

    @property
    def properties(self) -> dict[str, str]:
        props = {"message_id": self.uid}
        if self.journey:
            props["journey"] = self.journey
        if self.step:
            props["step"] = self.step
        return props


def find_message(rt: Runtime, uid: str) -> SentMessage | None:
    with rt.sessions() as session:
        row = session.execute(
            select(models.Message.uid, models.Contact.email, models.Message.journey_id)
            .add_columns(models.Message.step_id)
            .join(models.Contact, models.Contact.id == models.Message.contact_id)
            .where(models.Message.uid == uid)
        ).first()
    return SentMessage(row[0], row[1], row[2], row[3]) if row else None


def record_click(rt: Runtime, message: SentMessage, url: str) -> Ingested:
    return _record(rt, message, "email_clicked", {"url": url}, key=url)


def record_open(rt: Runtime, message: SentMessage) -> Ingested:
    return _record(rt, message, "email_opened", {"machine_open": False})


def unsubscribe(rt: Runtime, message: SentMessage, how: str) -> Ingested:
    """Suppress the message's contact at once: every later send stops (suppression wins)."""
    return _record(rt, message, "unsubscribed", {"via": how}, key="unsubscribe")


def is_unsubscribed(rt: Runtime, message: SentMessage) -> bool:
    with rt.sessions() as session:
        return is_suppressed(session, message.email)


def _record(
    rt: Runtime, message: SentMessage, kind: str, extra: dict[str, object], key: str = ""
) -> Ingested:
    now = rt.clock.now()
    # One event per message, kind and target per second: a double click is one click.
    digest = hashlib.sha256(f"{message.uid}|{kind}|{key}|{now:%Y%m%dT%H%M%S}".encode()).hexdigest()
    return ingest_event(
        rt,
        EventIn(
            id=f"track:{digest[:40]}",
            email=message.email,
            type=kind,
            at=now,
            properties={**message.properties, **extra},
        ),
    )
