"""Signed links in emails, so nobody can unsubscribe (or track) someone else.

Every token names only our message uid (and, for a click, the URL it leads to): no personal
data in a link. A click token signs its target URL, so the redirect reaches only URLs that were
in that email: there is no open redirect to forge.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer


class Links:
    def __init__(self, secret_key: str, base_url: str) -> None:
        self._unsubscribe = URLSafeSerializer(secret_key, salt="unsubscribe")
        self._click = URLSafeSerializer(secret_key, salt="click")
        self._open = URLSafeSerializer(secret_key, salt="open")
        self.base_url = base_url.rstrip("/")

    def unsubscribe_url(self, message_uid: str) -> str:
        """The one-click (POST) unsubscribe URL; a GET shows the preferences page."""
        return f"{self.base_url}/u/{self._unsubscribe.dumps(message_uid)}"

    def read_unsubscribe(self, token: str) -> str | None:
        """The message uid a token was made for, or None when it is forged."""
        try:
            return str(self._unsubscribe.loads(token))
        except BadSignature:
            return None

    def click_url(self, message_uid: str, url: str) -> str:
        return f"{self.base_url}/c/{self._click.dumps([message_uid, url])}"

    def read_click(self, token: str) -> tuple[str, str] | None:
        """(message uid, target URL) of a genuine click token, else None."""
        try:
            uid, url = self._click.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(uid, str) or not isinstance(url, str):
            return None
        return uid, url

    def open_url(self, message_uid: str) -> str:
        return f"{self.base_url}/o/{self._open.dumps(message_uid)}.gif"

    def read_open(self, token: str) -> str | None:
        try:
            return str(self._open.loads(token.removesuffix(".gif")))
        except BadSignature:
            return None
