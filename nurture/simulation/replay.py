"""Replay contacts, events and sales answers on a manual clock through the real engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nurture.clock import ManualClock
from nurture.domain.feedback import Bant
from nurture.engine import feedback
from nurture.engine.contacts import import_contact
from nurture.engine.ingest import ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.timeline import advance_to
from nurture.errors import NurtureError
from nurture.simulation.scenario import SalesAction, Scenario, StepEvent
from nurture.store.statements import messages


def replay(
    rt: Runtime,
    clock: ManualClock,
    scenario: Scenario,
    on_event: Callable[[], None] = lambda: None,
) -> list[str]:
    """Contacts at the start, each item at its time, every due step at its own time.

    Returns the problems met on the way (a click on an email the contact never got, a
    sales answer the contact's stage refuses), each naming the scenario line.
    """
    problems: list[str] = []
    for contact in scenario.contacts:
        import_contact(rt, contact)
    for item in scenario.events:
        assert item.at is not None
        advance_to(rt, clock, item.at)
        if isinstance(item, SalesAction | StepEvent):
            problem = _answer(rt, item) if isinstance(item, SalesAction) else _about_step(rt, item)
            if problem is not None:
                problems.append(f"{item.where}: {problem}")
        else:
            ingest_event(rt, item)
        on_event()
    advance_to(rt, clock, scenario.end)
    return problems


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
