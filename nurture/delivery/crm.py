"""The CRM webhook: a JSON body signed with HMAC-SHA256, posted with httpx.

The receiver recomputes ``sha256=HEX`` over the raw body with the shared secret and compares
it with ``X-Nurture-Signature``; ``X-Nurture-Delivery`` is stable across retries, so a CRM can
drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from nurture.errors import DeliveryError, DeliveryRejected

SIGNATURE_HEADER = "X-Nurture-Signature"
DELIVERY_HEADER = "X-Nurture-Delivery"


def encode(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


class CrmWebhook:
    """Posts handoffs to the CRM. ``url`` (from the environment) overrides the workspace's."""

    def __init__(
        self,
        secret: str | None,
        url: str | None = None,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.secret = secret
        self.url = url
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def target(self, workspace_url: str | None) -> str | None:
        return self.url or workspace_url

    def post(self, url: str, payload: Any, delivery_id: str) -> None:
        """Deliver once; raise DeliveryError with the reason when the CRM did not take it."""
        if not self.secret:
            raise DeliveryError("NURTURE_CRM_WEBHOOK_SECRET is not set: the webhook is not signed")
        body = encode(payload)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, body),
            DELIVERY_HEADER: delivery_id,
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_client_error:
            raise DeliveryRejected(f"HTTP {response.status_code}: {response.text[:200]}")
        if not response.is_success:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        self._client.close()
