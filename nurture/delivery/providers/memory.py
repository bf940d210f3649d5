"""A provider that keeps emails in memory: for simulations, benchmarks and tests."""

from __future__ import annotations

from nurture.delivery.providers import OutgoingEmail


class MemoryProvider:
    name = "memory"

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.sent: list[OutgoingEmail] = []

    def send(self, email: OutgoingEmail) -> str:
        if self.keep:
            self.sent.append(email)
        return email.message_uid
