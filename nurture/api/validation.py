"""422 answers a client can act on: where each problem is and what it is, in words.

FastAPI's own answer echoes every rejected input back, which fails outright when the input
held a NaN (no JSON can carry it) and doubles every error of a body that may be one event or
a batch (one per shape tried). Here each problem is its location and message only, for the
shape the client actually sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from nurture.errors import plain_message


async def validation_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if len({_shape(e) for e in errors} - {None}) > 1:
        sent = "list" if isinstance(exc.body, list) else "object"
        errors = [e for e in errors if _shape(e) == sent]
    return JSONResponse(status_code=422, content={"detail": [_problem(error) for error in errors]})


def _problem(error: Any) -> dict[str, Any]:
    loc = list(error["loc"])
    if _shape(error) is not None:
        del loc[1]
    return {"loc": loc, "msg": plain_message(error), "type": error["type"]}


def _shape(error: Any) -> str | None:
    """Which member of a body union (``EventIn``, ``list[EventIn]``) an error is about."""
    loc = error["loc"]
    if len(loc) < 2 or loc[0] != "body" or not isinstance(loc[1], str):
        return None
    if loc[1].startswith("list["):
        return "list"
    return "object" if loc[1][:1].isupper() else None
