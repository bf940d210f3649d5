"""Replay contacts, events and sales answers on a manual clock through the real engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nurture.clock import ManualClock
from nurture.domain.feedback import Bant
from nurture.engine import feedback
from nurture.engine.contacts import import_contact, import_contacts
from nurture.engine.ingest import CHUNK, ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.timeline import advance_to
from nurture.errors import NurtureError
from nurture.formats import EventIn
from nurture.simulation.runs import ingest_run
from nurture.simulation.scenario import Item, SalesAction, Scenario, StepEvent
from nurture.store.statements import messages


def replay(
    rt: Runtime,
    clock: ManualClock,
    scenario: Scenario,
    on_event: Callable[[], None] = lambda: None,
    *,
    together: bool = True,
) -> list[str]:
    """Contacts at the start, each item at its time, every due step at its own time.

    The contacts, and consecutive events with no work due among them, go in as chunks
    (simulation/runs.py; ``together=False``: one by one, the same rows). Returns the
    problems met on the way (a click on an email the contact never got, a sales answer the
    contact's stage refuses), each naming the scenario line.
    """
    problems: list[str] = []
    if together:  # nothing runs between the contacts: one chunk
        for _ in import_contacts(rt, scenario.contacts):
            pass
    else:
        for contact in scenario.contacts:
            import_contact(rt, contact)
    items = list(scenario.events)
    done = 0
    while done < len(items):
        item = items[done]
        assert item.at is not None
        moments = advance_to(rt, clock, item.at)
        if isinstance(item, SalesAction | StepEvent):
            problem = _answer(rt, item) if isinstance(item, SalesAction) else _about_step(rt, item)
            if problem is not None:
                problems.append(f"{item.where}: {problem}")
            taken = 1
        elif together:
            due = moments.first()
            taken = ingest_run(rt, clock, _run(items, done, due), due)
        else:
            ingest_event(rt, item)
            taken = 1
        for _ in range(taken):
            on_event()
        done += taken
    advance_to(rt, clock, scenario.end)
    return problems


def _run(items: list[Item], start: int, due: datetime | None) -> list[EventIn]:
    """The plain events from ``start`` on that come before ``due`` (at most a chunk)."""
    run: list[EventIn] = []
    for item in items[start : start + CHUNK]:
        if isinstance(item, SalesAction | StepEvent):
            break
        assert item.at is not None
        if due is not None and item.at >= due:
            break
        run.append(item)
    return run


def _answer(rt: Runtime, item: SalesAction) -> str | None:
    try:
        if item.action == "accept":
            feedback.accept(rt, item.email, item.by)
        elif item.action == "reject":
            feedback.reject(rt, item.email, item.reason or "", item.by)
        else:
            assert item.bant is not None
            feedback.qualify(rt, item.email, Bant(**item.bant), item.by)
    except NurtureError as exc:
        return f"sales could not {item.action} at {_utc(item.at)}: {exc}"
    return None


def _about_step(rt: Runtime, item: StepEvent) -> str | None:
    """Ingest the event with the message id, journey and step of the email it is about."""
    event = item.event
    assert event.at is not None
    uid = _last_sent(rt, event.email, item.journey, item.step, event.at)
    if uid is None:
        return (
            f"{event.email} got no email from {item.journey}/{item.step} before "
            f"{_utc(event.at)}: the {event.type} is left out"
        )
    about = {"message_id": uid, "journey": item.journey, "step": item.step}
    ingest_event(rt, event.model_copy(update={"properties": {**event.properties, **about}}))
    return None


def _last_sent(rt: Runtime, email: str, journey: str, step: str, at: datetime) -> str | None:
    values = {"email": email, "journey": journey, "step": step, "at": at}
    with rt.engine.connect() as connection:
        return connection.scalar(messages.LAST_SENT_OF_STEP, values)


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
