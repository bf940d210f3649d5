"""Click redirects and the open pixel, both behind signed tokens.

A click token signs its target URL, so only the URLs that were in that email can be reached:
a forged or altered token is a 404, never a redirect.
"""

from __future__ import annotations

import base64
import logging

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from nurture.api.deps import RuntimeDep
from nurture.engine.runtime import Runtime
from nurture.engine.tracking import find_message, record_click, record_open

log = logging.getLogger(__name__)


class Problem(BaseModel):
    detail: str


router = APIRouter(tags=["tracking"])

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}


@router.get(
    "/c/{token}",
    response_class=RedirectResponse,
    status_code=302,
    responses={302: {"description": "to the link's target"}, 404: {"model": Problem}},
    summary="A tracked link: record the click, then redirect",
)
async def click(token: str, rt: RuntimeDep) -> RedirectResponse:
    found = rt.links.read_click(token)
    if found is None or not found[1].startswith(("http://", "https://")):
        raise HTTPException(404, "this link is not valid")
    uid, url = found
    await run_in_threadpool(_record_click, rt, uid, url)
    return RedirectResponse(url, status_code=302, headers=_NO_STORE)


@router.get(
    "/o/{token}",
    response_class=Response,
    responses={200: {"content": {"image/gif": {}}}, 404: {"model": Problem}},
    summary="The open pixel: record the open",
)
async def open_pixel(token: str, rt: RuntimeDep) -> Response:
    uid = rt.links.read_open(token)
    if uid is None:
        raise HTTPException(404, "this pixel is not valid")
    await run_in_threadpool(_record_open, rt, uid)
    return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)


def _record_click(rt: Runtime, uid: str, url: str) -> None:
    """A lost click must never break the redirect: log it and go on."""
    try:
        message = find_message(rt, uid)
        if message is not None:
            record_click(rt, message, url)
    except Exception:
        log.exception("click on message %s not recorded", uid)


def _record_open(rt: Runtime, uid: str) -> None:
    try:
        message = find_message(rt, uid)
        if message is not None:
            record_open(rt, message)
    except Exception:
        log.exception("open of message %s not recorded", uid)
