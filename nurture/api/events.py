"""POST /events: one event or a batch, in the public event format (docs/formats.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from nurture.api.deps import RuntimeDep, require_token
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
    summary="Store one event or a batch (idempotent on each event's id)",
)
def post_events(
    rt: RuntimeDep,
    body: Annotated[EventIn | Batch, Body(description="An event, or a list of up to 1000.")],
) -> EventsAccepted:
    """Every item is validated before any is stored: one bad item refuses the request (422).

    A batch is ingested in chunks of events per transaction (the engine's chunked path).
    """
    events = body if isinstance(body, list) else [body]
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
