"""``nurture serve``: the HTTP app (ingest, webhooks, tracking, unsubscribe) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, runtime, settings_for
from nurture.settings import require_shared_clock


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workspace: WorkspaceOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json) and the read-only console at /console."""
    import uvicorn

    from nurture.api.app import create_app

    settings = settings_for(workspace)
    require_shared_clock(settings)
    uvicorn.run(create_app(runtime(settings), settings), host=host, port=port)
