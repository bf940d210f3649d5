"""SendGrid's Signed Event Webhook: ECDSA (P-256, SHA-256) over timestamp + raw body.

The signature is checked on the exact bytes received, before anything is parsed; a post
without a signature, with a forged one, or with a timestamp outside the tolerance (a replay)
is refused.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"


class SignatureRejected(Exception):
    """The webhook post is unsigned, forged or stale."""


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The verification key as SendGrid shows it: base64 of the DER public key."""
    try:
        key = load_der_public_key(base64.b64decode(text.strip(), validate=True))
    except (ValueError, binascii.Error, TypeError):
        raise ValueError("not a base64 DER public key, as SendGrid shows it") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve (ECDSA) public key")
    return key


def verify(
    key: ec.EllipticCurvePublicKey,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    tolerance_seconds: int,
) -> None:
    """Return quietly when the post is genuine and fresh; raise SignatureRejected otherwise."""
    if not signature or not timestamp:
        raise SignatureRejected("unsigned: the signature and timestamp headers are required")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureRejected("the timestamp header is not a Unix time") from None
    if abs(now.timestamp() - sent_at) > tolerance_seconds:
        raise SignatureRejected("stale: the timestamp is outside the accepted tolerance")
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        raise SignatureRejected("forged: the signature does not match the body") from None
