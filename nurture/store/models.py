"""The relational model. Every change here ships an Alembic revision in migrations/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nurture.store.types import JSONDoc, UTCDateTime, json_default

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONDoc}  # noqa: RUF012


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    company_size: Mapped[int | None]
    industry: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    stage: Mapped[str] = mapped_column(String(20), default="subscriber", index=True)
    score: Mapped[int] = mapped_column(default=0)
    band: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(200))
    last_active_at: Mapped[datetime | None]
    scored_until: Mapped[datetime | None]
    """How far in time decay and inactivity have been applied to the ledger."""
    decay_due_at: Mapped[datetime | None] = mapped_column(index=True)
    """When time alone next changes the score (the decay sweep reads this index)."""
    stage_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="contact", order_by="Enrollment.id", passive_deletes=True
    )
    """Loaded once per session (or per ingest chunk, for all its contacts) for journeys to react."""


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_contact_type_at", "contact_id", "type", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]


class ScoreEntry(Base):
    """One row of a contact's score ledger: the score is the sum of its ``points``."""

    __tablename__ = "score_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    event: Mapped[Event | None] = relationship()
    """Set to an event not yet flushed, the id follows at the flush: a chunk flushes once."""


class StageChange(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    cause: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    event: Mapped[Event | None] = relationship()


class Journey(Base):
    __tablename__ = "journeys"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    current_version: Mapped[int]
    updated_at: Mapped[datetime]

    versions: Mapped[list[JourneyVersion]] = relationship(
        back_populates="journey", order_by="JourneyVersion.version"
    )


class JourneyVersion(Base):
    """An immutable snapshot of a journey definition; enrollments point at one."""

    __tablename__ = "journey_versions"
    __table_args__ = (UniqueConstraint("journey_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[str] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]

    journey: Mapped[Journey] = relationship(back_populates="versions")


class Enrollment(Base):
    """A contact's walk through one journey version.

    ``next_run_at`` is set only while the enrollment is active, so the scheduler's claim
    reads the index alone. ``lease_until`` is the claim: an expired lease is claimed again.
    """

    __tablename__ = "enrollments"
    __table_args__ = (Index("ix_enrollments_contact_journey", "contact_id", "journey_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    journey_id: Mapped[str] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("journey_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")
    current_step: Mapped[str | None] = mapped_column(String(100))
    step_entered_at: Mapped[datetime]
    next_run_at: Mapped[datetime | None] = mapped_column(index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    exit_reason: Mapped[str | None] = mapped_column(Text)
    path: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    """Step visits (``{"visits": {step: n}}``, the occurrence in send keys), moves between
    steps (``{"moves": {from: {to: n}}}``, to "" off the end) and split variants."""
    enrolled_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    version: Mapped[JourneyVersion] = relationship()
    contact: Mapped[Contact] = relationship(back_populates="enrollments")


class Message(Base):
    """One email of one step. Committed before the provider call: the key makes it once only."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="SET NULL"), index=True
    )
    journey_id: Mapped[str | None] = mapped_column(String(100))
    step_id: Mapped[str | None] = mapped_column(String(100))
    template: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    provider: Mapped[str | None] = mapped_column(String(40))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Suppression(Base):
    """An address that must receive nothing more (unsubscribe, hard bounce, complaint)."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    reason: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    event: Mapped[Event | None] = relationship()


class Handoff(Base):
    """An MQL passed to sales, with the owner and the time by which sales must respond."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    owner: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    sla_due_at: Mapped[datetime]
    check_at: Mapped[datetime | None] = mapped_column(index=True)
    """When the SLA sweep looks at this handoff next (unset once answered or escalated)."""
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    created_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]


class HandoffEvent(Base):
    """What happened to a handoff: assigned, notified, accepted, rejected, qualified, escalated."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=json_default)
    at: Mapped[datetime]


class Notification(Base):
    """A webhook or email about a handoff: stored first, delivered and retried by the sweep."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class SplitAssignment(Base):
    """The variant an enrollment was given at an A/B/n split step, for reports."""

    __tablename__ = "split_assignments"

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    step_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    journey_id: Mapped[str] = mapped_column(String(100))
    variant: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime]


__all__ = [
    "Base",
    "Contact",
    "Enrollment",
    "Event",
    "Handoff",
    "HandoffEvent",
    "Journey",
    "JourneyVersion",
    "Message",
    "Notification",
    "ScoreEntry",
    "SplitAssignment",
    "StageChange",
    "Suppression",
]
