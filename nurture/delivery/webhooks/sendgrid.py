"""SendGrid's event webhook, translated into our event vocabulary.

| SendGrid           | ours                                   |
| ------------------ | -------------------------------------- |
| processed          | email_processed                        |
| delivered          | email_delivered                        |
| deferred           | email_deferred                         |
| bounce             | email_bounced (bounce_type hard; soft when SendGrid says "blocked") |
| dropped            | email_dropped                          |
| open               | email_opened (machine_open for Apple Mail Privacy Protection) |
| click              | email_clicked (url)                    |
| spamreport         | spam_reported                          |
| unsubscribe, group_unsubscribe | unsubscribed               |
| group_resubscribe  | resubscribed                           |

``sg_event_id`` is the idempotency key: SendGrid redelivers the same event, sometimes often.
Our custom_args come back as top-level keys and carry only our ids.
"""

from __future__ import annotations

from typing import Any

from nurture.formats import EventIn
from nurture.times import from_unix

# custom_args we attach to every email (delivery/providers/sendgrid.py) and read back here.
MESSAGE_ARG = "nurture_message_id"
JOURNEY_ARG = "nurture_journey"
STEP_ARG = "nurture_step"

EVENT_TYPES = {
    "processed": "email_processed",
    "delivered": "email_delivered",
    "deferred": "email_deferred",
    "bounce": "email_bounced",
    "dropped": "email_dropped",
    "open": "email_opened",
    "click": "email_clicked",
    "spamreport": "spam_reported",
    "unsubscribe": "unsubscribed",
    "group_unsubscribe": "unsubscribed",
    "group_resubscribe": "resubscribed",
}


class Ignored(Exception):
    """An event type we do not track."""


def translate(item: Any) -> EventIn:
    """One webhook item as our event; ValueError (or pydantic's) when it is malformed."""
    if not isinstance(item, dict):
        raise ValueError("each item must be a JSON object")
    kind = item.get("event")
    if kind not in EVENT_TYPES:
        raise Ignored(f"event type {kind!r} is not tracked")
    event_id = item.get("sg_event_id")
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("sg_event_id is missing")
    if len(event_id) > 180:
        raise ValueError("sg_event_id is longer than 180 characters")
    try:
        at = from_unix(item.get("timestamp"))
    except ValueError as exc:
        raise ValueError(f"timestamp: {exc}") from None
    return EventIn(
        id=f"sendgrid:{event_id}",
        email=item.get("email"),  # type: ignore[arg-type]
        type=EVENT_TYPES[kind],
        at=at,
        properties=_properties(kind, item),
    )


def _properties(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"provider": "sendgrid"}
    for ours, theirs in (("message_id", MESSAGE_ARG), ("journey", JOURNEY_ARG), ("step", STEP_ARG)):
        if isinstance(item.get(theirs), str):
            props[ours] = item[theirs]
    if isinstance(item.get("sg_message_id"), str):
        props["provider_message_id"] = item["sg_message_id"]
    if kind == "bounce":
        props["bounce_type"] = "soft" if item.get("type") == "blocked" else "hard"
    if kind in ("bounce", "dropped", "deferred") and item.get("reason") is not None:
        props["reason"] = str(item["reason"])[:500]
    if kind == "click" and isinstance(item.get("url"), str):
        props["url"] = item["url"]
    if kind == "open":
        props["machine_open"] = item.get("sg_machine_open") is True
    if kind.startswith("group_") and item.get("asm_group_id") is not None:
        props["group"] = str(item["asm_group_id"])
    return props
