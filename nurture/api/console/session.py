"""The console's login: an API token exchanged for a signed session cookie, and CSRF tokens.

The cookie is ``Secure``, ``HttpOnly`` and ``SameSite=Strict`` and holds, signed with the
secret key, a fingerprint of the token it was opened with (removing the token from
``NURTURE_API_TOKENS`` ends every session opened with it) and the session's CSRF token,
which every form posts back. Before login the CSRF token lives in a short cookie of its own
(double submit), so the login form cannot be posted from another site either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from nurture.settings import Settings

COOKIE = "nurture_console"
LOGIN_COOKIE = "nurture_console_login"
PATH = "/console"
MAX_AGE = 12 * 3600
LOGIN_MAX_AGE = 1800


class LoginRequired(Exception):
    """Raised by a page without a valid session: the app answers with the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class ConsoleSession:
    csrf: str


class Missing(Exception):
    """A page that does not exist (an unknown journey, contact or date): a 404 page."""

    def __init__(self, message: str, session: ConsoleSession | None) -> None:
        super().__init__(message)
        self.session = session


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="nurture-console")


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _set(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=PATH, secure=True, httponly=True, samesite="strict"
    )


def known_token(settings: Settings, given: str) -> bool:
    return any(hmac.compare_digest(given.encode(), t.encode()) for t in settings.api_token_set)


def open_session(response: Response, settings: Settings, token: str) -> None:
    value = _signer(settings).dumps({"t": fingerprint(token), "c": secrets.token_urlsafe(24)})
    _set(response, COOKIE, value, MAX_AGE)
    response.delete_cookie(LOGIN_COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")


def close_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")


def current_session(request: Request, settings: Settings) -> ConsoleSession | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _signer(settings).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    tokens = {fingerprint(t) for t in settings.api_token_set}
    if not isinstance(data, dict) or data.get("t") not in tokens:
        return None
    return ConsoleSession(csrf=str(data.get("c", "")))


def login_csrf(request: Request) -> str:
    """The CSRF token of the login form: the browser's, else a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def keep_login_csrf(response: Response, token: str) -> None:
    """Keep the login form's CSRF token in its own cookie until login."""
    _set(response, LOGIN_COOKIE, token, LOGIN_MAX_AGE)


def same(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


def safe_next(path: str | None) -> str:
    """Where to go after login: a console page, never another site."""
    if path and path.startswith(f"{PATH}/") and not path.startswith("//") and "\\" not in path:
        return path
    return f"{PATH}/journeys"
