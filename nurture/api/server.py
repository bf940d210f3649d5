"""Serve the HTTP app under uvicorn until told to stop (``nurture serve`` and ``nurture run``)."""

from __future__ import annotations

import threading

import uvicorn

from nurture.api.app import create_app
from nurture.engine.runtime import Runtime
from nurture.settings import Settings


def serve_until(
    rt: Runtime, settings: Settings, stop: threading.Event, host: str, port: int
) -> None:
    """Serve until ``stop`` is set; in-flight requests finish first (uvicorn's graceful exit)."""
    server = uvicorn.Server(uvicorn.Config(create_app(rt, settings), host=host, port=port))

    def watch() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=watch, name="http-stop", daemon=True).start()
    server.run()
