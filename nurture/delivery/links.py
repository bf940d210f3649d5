"""Signed links in emails, so nobody can unsubscribe (or track) someone else."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer


class Links:
    def __init__(self, secret_key: str, base_url: str) -> None:
        self._unsubscribe = URLSafeSerializer(secret_key, salt="unsubscribe")
        self.base_url = base_url.rstrip("/")

    def unsubscribe_url(self, message_uid: str) -> str:
        """A link naming only our message id (no personal data), signed."""
        return f"{self.base_url}/u/{self._unsubscribe.dumps(message_uid)}"

    def read_unsubscribe(self, token: str) -> str | None:
        """The message uid a token was made for, or None when it is forged."""
        try:
            return str(self._unsubscribe.loads(token))
        except BadSignature:
            return None
