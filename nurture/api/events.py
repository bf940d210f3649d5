"""POST /events: one event or a batch, in the public event format (docs/formats.md).

A batch is all or nothing: every item is checked (format, address, JSON, time range) before
any is stored, and one bad item refuses the request with a 422 naming it (``["body", 3,
"at"]``), so a client fixes that item and sends the batch again; the events already stored
by an earlier try are duplicates by their ids.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from nurture.api.deps import RuntimeDep, SettingsDep, require_token
from nurture.engine.ingest import ingest_events
from nurture.formats import EventIn

MAX_BATCH = 1000

router = APIRouter(tags=["events"])


class EventResult(BaseModel):
    source_id: str | None = Field(description="The event's id as given, if any.")
    duplicate: bool = Field(description="True when this id was already stored: nothing changed.")
    points: int = Field(description="Score points the event earned.")
    stages: list[str] = Field(description="Lifecycle stages the contact moved to.")


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    results: list[EventResult]


class Problem(BaseModel):
    detail: str


Batch = Annotated[list[EventIn], Field(min_length=1, max_length=MAX_BATCH)]


@router.post(
    "/events",
    dependencies=[Depends(require_token)],
    responses={401: {"model": Problem}, 413: {"model": Problem}, 503: {"model": Problem}},
    description="A time without a zone is UTC; `at` must lie between NURTURE_TIME_EARLIEST "
    "(default 2000-01-01) and the server's clock plus NURTURE_TIME_AHEAD (default one day). "
    "A batch is all or nothing: one bad item refuses it with a 422 naming the item's index.",
    summary="Store one event or a batch (idempotent on each event's id)",
)
def post_events(
    rt: RuntimeDep,
    config: SettingsDep,
    body: Annotated[EventIn | Batch, Body(description="An event, or a list of up to 1000.")],
) -> EventsAccepted:
    """Every item is validated before any is stored: one bad item refuses the request (422).

    A batch is ingested in chunks of events per transaction (the engine's chunked path).
    """
    events = body if isinstance(body, list) else [body]
    now = rt.clock.now()
    errors = [
        {
            "type": "time_range",
            "loc": ["body", index, "at"] if isinstance(body, list) else ["body", "at"],
            "msg": problem,
            "input": event.at.isoformat(),
        }
        for index, event in enumerate(events)
        if event.at is not None and (problem := config.time_range.problem(event.at, now))
    ]
    if errors:
        raise RequestValidationError(errors)
    results = [
        EventResult(
            source_id=event.id,
            duplicate=done.duplicate,
            points=done.points,
            stages=list(done.stages),
        )
        for event, done in zip(events, ingest_events(rt, events), strict=True)
    ]
    duplicates = sum(r.duplicate for r in results)
    return EventsAccepted(
        accepted=len(results) - duplicates, duplicates=duplicates, results=results
    )
