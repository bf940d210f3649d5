"""``nurture templates render`` and ``nurture serve``, run as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NURTURE = Path(sys.executable).with_name("nurture")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env |= {"NURTURE_DATABASE_URL": f"sqlite:///{home / 'n.db'}", "NURTURE_OUTBOX_DIR": str(home)}
    return env | extra


def _run(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NURTURE), *map(str, args)],
        cwd=ROOT,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_render_writes_the_html_for_one_contact(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    contacts = tmp_path / "c.jsonl"
    contacts.write_text(
        json.dumps({"email": "ana@acme.com", "first_name": "<b>Ana</b>", "company": "Acme"}) + "\n"
    )
    assert _run(tmp_path, "contacts", "import", contacts).returncode == 0
    target = tmp_path / "preview" / "welcome.html"
    result = _run(
        tmp_path, "templates", "render", "welcome", "--contact", "ANA@acme.com", "--out", target
    )
    assert result.returncode == 0, result.stderr
    assert f"HTML written to {target}" in result.stdout
    assert "Subject: Welcome to Acme, <b>Ana</b>" in result.stdout
    html = target.read_text()
    assert "Welcome, &lt;b&gt;Ana&lt;/b&gt;!" in html
    assert "https://acme.example/blog/start-here" in html  # previews keep the real links

    missing = _run(tmp_path, "templates", "render", "welcome", "--contact", "bo@acme.com")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "error: no contact bo@acme.com: import it first (nurture contacts import)"
    )


def test_serve_publishes_the_openapi_document(tmp_path: Path) -> None:
    assert _run(tmp_path, "db", "upgrade").returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(NURTURE), "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path, NURTURE_API_TOKENS="t"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        document = None
        deadline = time.monotonic() + 90  # a loaded machine may take long to import everything
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/openapi.json", timeout=1
                ) as r:
                    document = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.1)
        assert document is not None, f"the server did not answer: {server.returncode}"
        assert {"/events", "/webhooks/sendgrid", "/c/{token}", "/o/{token}", "/u/{token}"} <= set(
            document["paths"]
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
