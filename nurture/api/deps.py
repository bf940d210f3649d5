"""What every endpoint shares: the runtime, the settings and API-token auth."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nurture.engine.runtime import Runtime
from nurture.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="A token from NURTURE_API_TOKENS.")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    tokens = settings(request).api_token_set
    if not tokens:
        raise HTTPException(503, "the events API is disabled: set NURTURE_API_TOKENS")
    given = credentials.credentials if credentials else ""
    if not any(hmac.compare_digest(given.encode(), token.encode()) for token in tokens):
        raise HTTPException(
            401,
            "missing or unknown API token: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )


RuntimeDep = Annotated[Runtime, Depends(runtime)]
SettingsDep = Annotated[Settings, Depends(settings)]
