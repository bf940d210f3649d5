"""Engagement events, the single vocabulary every source is translated into."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STANDARD_EVENT_TYPES = frozenset(
    {
        "subscribed",
        "form_submitted",
        "content_downloaded",
        "page_viewed",
        "webinar_registered",
        "webinar_attended",
        "demo_requested",
        "email_delivered",
        "email_opened",
        "email_clicked",
        "email_bounced",
        "unsubscribed",
        "spam_reported",
    }
)


@dataclass(frozen=True)
class Event:
    type: str
    occurred_at: datetime
    properties: Mapping[str, Any] = field(default_factory=dict)
