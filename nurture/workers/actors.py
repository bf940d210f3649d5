"""Dramatiq actors. Thin: each one calls one engine function with the process's runtime.

Importing this module installs the broker of ``NURTURE_BROKER_URL`` (see broker.py), which
is what `dramatiq nurture.workers.actors` (and so `nurture worker`) expects of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dramatiq

from nurture.engine.dispatch import run_claimed
from nurture.engine.ingest import ingest_event
from nurture.engine.sweeps import run_sweep
from nurture.formats import EventIn
from nurture.workers import context
from nurture.workers.broker import make_broker, queue_name

broker = make_broker(context.settings())
dramatiq.set_broker(broker)
STEPS = queue_name(context.settings(), "steps")
EVENTS = queue_name(context.settings(), "events")
SWEEPS = queue_name(context.settings(), "sweeps")


@dramatiq.actor(broker=broker, queue_name=STEPS)
def execute_contacts(contact_ids: list[int], owner: str) -> None:
    """Run the due work (steps, decay, SLA checks) of contacts the scheduler leased to ``owner``."""
    run_claimed(context.runtime(), contact_ids, owner)


@dramatiq.actor(broker=broker, queue_name=EVENTS)
def process_event(event: dict[str, Any]) -> None:
    """Ingest one event (idempotent on its id, so a redelivery changes nothing)."""
    ingest_event(context.runtime(), EventIn.model_validate(event))


@dramatiq.actor(broker=broker, queue_name=SWEEPS)
def sweep(name: str) -> None:
    """Run one registered periodic sweep (decay, SLA breaches, handoff notifications)."""
    run_sweep(context.runtime(), name)


def submit_event(event: EventIn, received_at: datetime) -> None:
    """Enqueue an event for ingestion, its time fixed now so a redelivery is a duplicate."""
    fixed = event if event.at is not None else event.model_copy(update={"at": received_at})
    process_event.send(fixed.model_dump(mode="json"))
