"""What the engine needs from the outside world, as Protocols: adapters implement them.

The composition root (nurture/bootstrap.py) picks the concrete ones (delivery/providers:
the outbox, SendGrid) and hands them over in the Runtime.
"""

from __future__ import annotations

from typing import Protocol

from nurture.delivery.providers import OutgoingEmail


class EmailProvider(Protocol):
    """Hands an email over. ``send`` returns the provider's id for it; it raises
    ProviderRejected when the email is refused for good (a 4xx: the step fails at once)
    and ProviderError for anything worth retrying."""

    name: str

    def send(self, email: OutgoingEmail) -> str: ...
