"""Unsubscribe: RFC 8058 one-click POST, and a preferences page for people.

``POST /u/{token}`` unsubscribes at once, without a browser or a cookie (mail clients send
``List-Unsubscribe=One-Click``). ``GET`` never changes anything (link scanners follow GETs):
it shows the state and a button.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from nurture.api.deps import RuntimeDep
from nurture.engine.ingest import ingest_event
from nurture.engine.runtime import Runtime
from nurture.engine.tracking import SentMessage, find_message, is_unsubscribed, unsubscribe
from nurture.formats import EventIn

router = APIRouter(tags=["unsubscribe"])
_HTML: dict[int | str, dict[str, Any]] = {404: {"content": {"text/html": {}}}}


_INVALID = HTMLResponse(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Email preferences'
    "</title></head><body><h1>This link is not valid</h1><p>Use the unsubscribe link of an "
    "email we sent you, as it was written.</p></body></html>",
    status_code=404,
)


def _message(rt: Runtime, token: str) -> SentMessage | None:
    uid = rt.links.read_unsubscribe(token)
    return find_message(rt, uid) if uid else None


@router.get("/u/{token}", response_class=HTMLResponse, responses=_HTML, summary="Preferences page")
async def preferences(token: str, rt: RuntimeDep) -> HTMLResponse:
    message = await run_in_threadpool(_message, rt, token)
    if message is None:
        return _INVALID
    done = await run_in_threadpool(is_unsubscribed, rt, message)
    return HTMLResponse(_page(rt, token, message, done))


@router.post(
    "/u/{token}",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="One-click unsubscribe (RFC 8058)",
)
async def one_click(token: str, rt: RuntimeDep) -> HTMLResponse:
    message = await run_in_threadpool(_message, rt, token)
    if message is None:
        return _INVALID
    await run_in_threadpool(unsubscribe, rt, message, "one-click")
    return HTMLResponse(_page(rt, token, message, True))


@router.post(
    "/u/{token}/resubscribe",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="Undo an unsubscribe from the preferences page",
)
async def resubscribe(token: str, rt: RuntimeDep) -> HTMLResponse:
    message = await run_in_threadpool(_message, rt, token)
    if message is None:
        return _INVALID
    now = rt.clock.now()
    event = EventIn(
        email=message.email,
        type="resubscribed",
        at=now,
        properties={**message.properties, "via": "preferences"},
    )
    await run_in_threadpool(ingest_event, rt, event)
    return HTMLResponse(_page(rt, token, message, False))


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _page(rt: Runtime, token: str, message: SentMessage, unsubscribed: bool) -> str:
    sender = escape(rt.workspace.sender.from_name)
    who = escape(_masked(message.email))
    action = f"/u/{escape(token)}"
    if unsubscribed:
        state = f"<p>{who} is unsubscribed: {sender} will send no more emails.</p>"
        form = (
            f'<form method="post" action="{action}/resubscribe">'
            "<button>Subscribe again</button></form>"
        )
    else:
        state = f"<p>{who} receives emails from {sender}.</p>"
        form = (
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            "<button>Unsubscribe from all emails</button></form>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Email preferences</title></head><body><h1>Email preferences</h1>{state}{form}"
        "</body></html>"
    )
