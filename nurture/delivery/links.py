"""Signed links in emails, so nobody can unsubscribe (or track) someone else.

Every token names only our message uid (and, for a click, the URL it leads to): no personal
data in a link. A click token signs its target URL, so the redirect reaches only URLs that were
in that email: there is no open redirect to forge.
"""

from __future__ import annotations

import hmac
import json
import zlib
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode


class _Tokens:
    """``URLSafeSerializer(secret_key, salt).dumps``, token for token, made cheaper.

    itsdangerous derives the HMAC key and sets up a fresh zlib stream for every token; an
    email signs three. Here both are made once and copied per token (a copy skips the key
    derivation and zlib's allocation). Reading tokens stays with itsdangerous.
    """

    def __init__(self, secret_key: str, salt: str) -> None:
        self.serializer = URLSafeSerializer(secret_key, salt=salt)
        signer = self.serializer.make_signer()
        self._mac = hmac.new(signer.derive_key(), digestmod=signer.digest_method)
        self._sep = signer.sep.encode() if isinstance(signer.sep, str) else signer.sep
        self._zlib = zlib.compressobj()

    def dumps(self, value: Any) -> str:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        stream = self._zlib.copy()
        compressed = stream.compress(payload) + stream.flush()
        if len(compressed) < len(payload) - 1:
            payload = b"." + base64_encode(compressed)
        else:
            payload = base64_encode(payload)
        mac = self._mac.copy()
        mac.update(payload)
        return (payload + self._sep + base64_encode(mac.digest())).decode()


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
