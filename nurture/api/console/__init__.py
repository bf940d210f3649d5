"""A read-only console for marketers in ``nurture serve``, under ``/console``.

Journeys drawn with their live counts and versions, a contact's score and timeline, the
report's charts, and the workspace's validation. Plain server-rendered HTML: no build step,
no script; it works with JavaScript off and at phone width.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from nurture.api.console.pages import router, templates
from nurture.api.console.session import PATH, LoginRequired, Missing

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _Headers(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.url.path.startswith(PATH):
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
        return response


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(
        f"{PATH}/static",
        StaticFiles(directory=Path(__file__).parent / "static"),
        name="console-static",
    )
    app.add_middleware(_Headers)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"{PATH}/login?next={quote(exc.next_path, safe='')}", 303)

    @app.exception_handler(Missing)
    async def missing(request: Request, exc: Missing) -> Response:
        return templates.TemplateResponse(
            request,
            "missing.html",
            {"message": str(exc), "session": exc.session, "section": ""},
            status_code=404,
        )
