"""``nurture templates render`` and ``nurture serve``, in-process through the typer app."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nurture.cli import app
from nurture.errors import NotFound

ROOT = Path(__file__).resolve().parents[2]
RENDER_ANA = ["templates", "render", "welcome", "--contact", "ana@acme.com"]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("NURTURE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(ROOT / "example")  # the workspace is the current directory
    monkeypatch.setenv("NURTURE_DATABASE_URL", f"sqlite:///{tmp_path / 'n.db'}")
    monkeypatch.setenv("NURTURE_OUTBOX_DIR", str(tmp_path / "outbox"))
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)

    assert run("db", "upgrade").exit_code == 0
    return run


def test_render_writes_the_html_for_one_contact(cli, tmp_path: Path) -> None:
    contacts = tmp_path / "c.jsonl"
    contacts.write_text(
        json.dumps({"email": "ana@acme.com", "first_name": "<b>Ana</b>", "company": "Acme"}) + "\n"
    )
    assert cli("contacts", "import", contacts).exit_code == 0
    target = tmp_path / "preview" / "welcome.html"
    result = cli("templates", "render", "welcome", "--contact", "ANA@acme.com", "--out", target)
    assert result.exit_code == 0, result.output
    assert "Subject: Welcome to Acme, <b>Ana</b>" in result.output
    assert "HTML written to" in result.output
    html = target.read_text()
    assert "Welcome, &lt;b&gt;Ana&lt;/b&gt;!" in html
    assert "https://acme.example/blog/start-here" in html  # previews keep the real links

    missing = cli("templates", "render", "welcome", "--contact", "bo@acme.com")
    assert isinstance(missing.exception, NotFound)
    assert (
        str(missing.exception)
        == "no contact bo@acme.com: import it first (nurture contacts import)"
    )


def test_serve_runs_the_app_with_its_openapi_document(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **kw: served.update(app=asgi, **kw))
    monkeypatch.setenv("NURTURE_API_TOKENS", "t")
    result = cli("serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    document = TestClient(served["app"]).get("/openapi.json").json()
    assert {"/events", "/webhooks/sendgrid", "/c/{token}", "/o/{token}", "/u/{token}"} <= set(
        document["paths"]
    )


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{{ 9**(9**9) }}", "9 ** 387420489 is too large a number"),
        ("{{ contact.company + 1 }}", 'can only concatenate str (not "int") to str (TypeError)'),
    ],
)
def test_render_reports_a_failing_template_in_one_line(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, says: str
) -> None:
    import subprocess
    import sys

    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "example", workspace)
    templates = workspace / "templates"
    html = (templates / "welcome.html").read_text().splitlines()
    html.insert(2, line)
    (templates / "welcome.html").write_text("\n".join(html) + "\n")
    monkeypatch.chdir(workspace)
    contacts = tmp_path / "c.jsonl"
    contacts.write_text(json.dumps({"email": "ana@acme.com", "company": "Acme"}) + "\n")
    assert cli("contacts", "import", contacts).exit_code == 0

    done = subprocess.run(
        [sys.executable, "-c", "from nurture.cli import main; main()", *RENDER_ANA],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == f"error: templates/welcome.html:3: {says}\n"  # relative, as run
    assert "Traceback" not in done.stdout + done.stderr
