"""Unsubscribe: RFC 8058 one-click POST, and a preferences page for people.

``POST /u/{token}`` unsubscribes at once, without a browser or a cookie (mail clients send
``List-Unsubscribe=One-Click``). ``GET`` never changes anything (link scanners follow GETs):
it shows the state and a button. Every POST is idempotent (a repeat stores nothing), and
every page shows the state as stored after the action, never the one the action hoped for:
"Subscribe again" lifts only the contact's own unsubscribe, so after a spam complaint or a
hard bounce the page still says that no email is sent, and why.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from nurture.api.deps import RuntimeDep
from nurture.engine.runtime import Runtime
from nurture.engine.suppression import LIFTABLE
from nurture.engine.tracking import (
    SentMessage,
    find_message,
    resubscribe,
    suppression_reason,
    unsubscribe,
)

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
    return await _respond(rt, token, None)


@router.post(
    "/u/{token}",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="One-click unsubscribe (RFC 8058)",
)
async def one_click(token: str, rt: RuntimeDep) -> HTMLResponse:
    return await _respond(rt, token, lambda message: unsubscribe(rt, message, "one-click"))


@router.post(
    "/u/{token}/resubscribe",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="Undo an unsubscribe from the preferences page",
)
async def subscribe_again(token: str, rt: RuntimeDep) -> HTMLResponse:
    return await _respond(rt, token, lambda message: resubscribe(rt, message))


async def _respond(
    rt: Runtime, token: str, action: Callable[[SentMessage], object] | None
) -> HTMLResponse:
    """Run ``action`` (if any) for the token's message, then show the state as stored."""
    message = await run_in_threadpool(_message, rt, token)
    if message is None:
        return _INVALID
    if action is not None:
        await run_in_threadpool(action, message)
    reason = await run_in_threadpool(suppression_reason, rt, message)
    return HTMLResponse(_page(rt, token, message, reason))


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


_WHY = {
    "complaint": "an email we sent was reported as spam from this address",
    "hard_bounce": "emails to this address could not be delivered",
    "soft_bounce": "emails to this address failed to arrive several times in a row",
}


def _page(rt: Runtime, token: str, message: SentMessage, reason: str | None) -> str:
    sender = escape(rt.workspace.sender.from_name)
    who = escape(_masked(message.email))
    action = f"/u/{escape(token)}"
    if reason is None:
        state = f"<p>{who} receives emails from {sender}.</p>"
        form = (
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            "<button>Unsubscribe from all emails</button></form>"
        )
    elif reason in LIFTABLE:
        state = f"<p>{who} is unsubscribed: {sender} will send no more emails.</p>"
        form = (
            f'<form method="post" action="{action}/resubscribe">'
            "<button>Subscribe again</button></form>"
        )
    else:
        why = escape(_WHY.get(reason, reason.replace("_", " ")))
        contact = escape(rt.workspace.sender.from_email)
        state = f"<p>{who} receives no emails from {sender}: {why}.</p>"
        form = (
            "<p>This cannot be undone from this page. To receive our emails again, write to "
            f'<a href="mailto:{contact}">{contact}</a>.</p>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Email preferences</title></head><body><h1>Email preferences</h1>{state}{form}"
        "</body></html>"
    )
