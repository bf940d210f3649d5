"""Signed links in emails, so nobody can unsubscribe (or track) someone else.

Every token names only our message uid (and, for a click, the URL it leads to): no personal
data in a link. A click token signs its target URL, so the redirect reaches only URLs that were
in that email: there is no open redirect to forge.
"""

from __future__ import annotations

import hmac
import json
import zlib
from base64 import urlsafe_b64encode
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer


class _Tokens:
    """``URLSafeSerializer(secret_key, salt).dumps``, token for token, made cheaper.

    itsdangerous derives the HMAC key for every token and compresses every payload with
    zlib's full 32 KB window, to keep the compressed form only when it is 2 bytes shorter; an
    email signs three. Here the keyed HMAC is made once and copied per token, and a short
    payload is first measured with a 512-byte window, which is cheaper to set up and, for
    payloads within it, finds the same matches and so compresses to the same length: only
    when that length wins is the real compression made. The payload's JSON comes from one
    encoder made once (``json.dumps`` with keywords builds a new one per call). Reading
    tokens stays with itsdangerous.
    """

    def __init__(self, secret_key: str, salt: str) -> None:
        self.serializer = URLSafeSerializer(secret_key, salt=salt)
        signer = self.serializer.make_signer()
        self._mac = hmac.new(signer.derive_key(), digestmod=signer.digest_method)
        self._sep = signer.sep.encode() if isinstance(signer.sep, str) else signer.sep

    def dumps(self, value: Any) -> str:
        payload = _JSON.encode(value).encode()
        compressed = _shorter(payload)
        payload = _base64(payload) if compressed is None else b"." + _base64(compressed)
        mac = self._mac.copy()
        mac.update(payload)
        return (payload + self._sep + _base64(mac.digest())).decode()


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What itsdangerous's ``_CompactJSON.dumps`` writes."""


def _base64(data: bytes) -> bytes:
    """itsdangerous's ``base64_encode`` of bytes: URL-safe, without padding."""
    return urlsafe_b64encode(data).rstrip(b"=")


_SMALL_WINDOW = 9
_WITHIN = 200
"""Payloads up to this length lie within the small window's reach (512 bytes less zlib's
262 of lookahead), so every match the full window finds, the small one finds too."""


def _shorter(payload: bytes) -> bytes | None:
    """``zlib.compress(payload)`` when it is shorter than ``payload`` by 2 bytes or more."""
    if len(payload) <= _WITHIN:
        measured = zlib.compress(payload, zlib.Z_DEFAULT_COMPRESSION, _SMALL_WINDOW)
        if len(measured) >= len(payload) - 1:
            return None
    compressed = zlib.compress(payload)
    return compressed if len(compressed) < len(payload) - 1 else None


class Links:
    def __init__(self, secret_key: str, base_url: str) -> None:
        self._unsubscribe = _Tokens(secret_key, "unsubscribe")
        self._click = _Tokens(secret_key, "click")
        self._open = _Tokens(secret_key, "open")
        self.base_url = base_url.rstrip("/")

    def unsubscribe_url(self, message_uid: str) -> str:
        """The one-click (POST) unsubscribe URL; a GET shows the preferences page."""
        return f"{self.base_url}/u/{self._unsubscribe.dumps(message_uid)}"

    def read_unsubscribe(self, token: str) -> str | None:
        """The message uid a token was made for, or None when it is forged."""
        try:
            return str(self._unsubscribe.serializer.loads(token))
        except BadSignature:
            return None

    def click_url(self, message_uid: str, url: str) -> str:
        return f"{self.base_url}/c/{self._click.dumps([message_uid, url])}"

    def read_click(self, token: str) -> tuple[str, str] | None:
        """(message uid, target URL) of a genuine click token, else None."""
        try:
            uid, url = self._click.serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(uid, str) or not isinstance(url, str):
            return None
        return uid, url

    def open_url(self, message_uid: str) -> str:
        return f"{self.base_url}/o/{self._open.dumps(message_uid)}.gif"

    def read_open(self, token: str) -> str | None:
        try:
            return str(self._open.serializer.loads(token.removesuffix(".gif")))
        except BadSignature:
            return None
