"""Build the FastAPI app around one runtime."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from nurture import __version__
from nurture.api import console, events, handoffs, tracking, unsubscribe, webhooks
from nurture.api.limits import BodyLimit
from nurture.api.validation import validation_problem
from nurture.engine.runtime import Runtime
from nurture.settings import Settings


def create_app(rt: Runtime, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="nurture",
        version=__version__,
        description="Event ingest, provider webhooks, click/open tracking, unsubscribe and "
        "sales feedback on handoffs; a read-only console for marketers under /console.",
    )
    app.state.runtime = rt
    app.state.settings = settings
    for module in (events, webhooks, tracking, unsubscribe, handoffs):
        app.include_router(module.router)
    app.add_exception_handler(RequestValidationError, validation_problem)
    console.mount(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app
