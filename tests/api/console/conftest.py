"""The console served for real (uvicorn on a free port) over the walked story's database.

Its workspace folder is a copy of the example with one mistake, so the validation page has
a problem to show; the engine runs the example itself.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from nurture.api.app import create_app
from nurture.settings import Settings, load_settings

TOKEN = "console-token"
ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Served:
    base: str
    harness: Any
    settings: Settings


def console_settings(folder: Path) -> Settings:
    workspace = folder / "workspace"
    shutil.copytree(ROOT / "example", workspace)
    welcome = workspace / "welcome.yaml"
    welcome.write_text(
        welcome.read_text().replace("duration: 2d", "duration: 2 dayz"), encoding="utf-8"
    )
    return load_settings(
        api_tokens=f"{TOKEN}, another-token",
        workspace=workspace,
        secret_key="console-test-secret",
    )


@pytest.fixture(scope="module")
def console_client(walked: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = console_settings(tmp_path_factory.mktemp("console"))
    app = create_app(walked.runtime, settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(walked: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = console_settings(tmp_path_factory.mktemp("served"))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(walked.runtime, settings), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, name="console-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://localhost:{port}", walked, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
