"""Email providers behind one small interface; the engine never sees a provider's fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OutgoingEmail:
    message_uid: str
    to: str
    from_email: str
    from_name: str
    subject: str
    html: str
    text: str
    journey: str
    step: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        """Our Message-ID on the sender's domain (RFC 5322 section 3.6.4: unique, ours to give)."""
        return f"<{self.message_uid}@{self.from_email.rpartition('@')[2]}>"

    @property
    def trace_headers(self) -> dict[str, str]:
        """Our ids, on every email, so a send can be traced from any side."""
        return {
            "X-Nurture-Journey": self.journey,
            "X-Nurture-Step": self.step,
            "X-Nurture-Message-Id": self.message_uid,
        }


class Provider(Protocol):
    name: str

    def send(self, email: OutgoingEmail) -> str:
        """Hand the email over; return the provider's id for it. Raise ProviderError."""
        ...
