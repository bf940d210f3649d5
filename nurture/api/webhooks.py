"""POST /webhooks/sendgrid: SendGrid's signed event webhook.

The signature is checked on the raw bytes before parsing. Each item is translated and
ingested on its own: a malformed item (a bad address, a timestamp that is not a finite Unix
time in the accepted range, NaN where JSON has none) is reported by its index and skipped,
never losing the good ones, and the answer is still a 200 so SendGrid does not resend the
good ones forever; a redelivered item is a duplicate (idempotent on ``sg_event_id``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from nurture.api.deps import runtime, settings
from nurture.delivery.webhooks import sendgrid
from nurture.delivery.webhooks.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureRejected,
    load_public_key,
    verify,
)
from nurture.engine.ingest import ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.tracking import find_message
from nurture.errors import plain_message
from nurture.times import TimeRange

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])


class Rejected(BaseModel):
    index: int
    error: str


class WebhookResult(BaseModel):
    accepted: int
    duplicates: int
    ignored: int
    rejected: list[Rejected]


class Problem(BaseModel):
    detail: str


_BODY_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "SendGrid event webhook items",
                }
            }
        },
    }
}


@router.post(
    "/webhooks/sendgrid",
    openapi_extra=_BODY_SCHEMA,
    responses={
        400: {"model": Problem},
        403: {"model": Problem},
        413: {"model": Problem},
        503: {"model": Problem},
    },
    summary="SendGrid event webhook (signed)",
)
async def sendgrid_webhook(request: Request) -> WebhookResult:
    config = settings(request)
    if not config.sendgrid_webhook_public_key:
        raise HTTPException(
            503, "the SendGrid webhook is disabled: set NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY"
        )
    body = await request.body()
    rt = runtime(request)
    try:
        verify(
            load_public_key(config.sendgrid_webhook_public_key),
            body,
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
            rt.clock.now(),
            config.sendgrid_webhook_tolerance,
        )
    except SignatureRejected as exc:
        raise HTTPException(403, f"webhook signature refused: {exc}") from None
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HTTPException(400, "the body is not JSON") from None
    if not isinstance(items, list):
        raise HTTPException(400, "the body must be a JSON array of events")
    return await run_in_threadpool(_process, rt, items, config.time_range)


def _process(rt: Runtime, items: list[Any], times: TimeRange) -> WebhookResult:
    """Each item on its own: a bad one is reported by its index, the good ones are stored."""
    result = WebhookResult(accepted=0, duplicates=0, ignored=0, rejected=[])
    for index, item in enumerate(items):
        try:
            event = sendgrid.translate(item)
        except sendgrid.Ignored:
            result.ignored += 1
            continue
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            result.rejected.append(Rejected(index=index, error=f"{where}: {plain_message(error)}"))
            continue
        except ValueError as exc:
            result.rejected.append(Rejected(index=index, error=str(exc)))
            continue
        assert event.at is not None
        if problem := times.problem(event.at, rt.clock.now()):
            result.rejected.append(Rejected(index=index, error=f"timestamp: {problem}"))
            continue
        message_id = event.properties.get("message_id")
        if isinstance(message_id, str):
            message = find_message(rt, message_id)
            if message is not None and message.email != event.email:
                event = event.model_copy(update={"email": message.email})
        try:
            done = ingest_event(rt, event)
        except Exception:
            log.exception("webhook item %s could not be stored", index)
            result.rejected.append(Rejected(index=index, error="could not be stored; retry later"))
            continue
        if done.duplicate:
            result.duplicates += 1
        else:
            result.accepted += 1
    return result
