"""The CRM hears of every MQL: full history as JSON, HMAC-signed, retried until it gets through."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.delivery.crm import DELIVERY_HEADER, SIGNATURE_HEADER, CrmWebhook, verify
from nurture.engine.explain import handoff_board
from nurture.engine.failures import retry_failures
from nurture.store import models
from nurture.store.claims import Retry
from nurture.testing import Harness, make_harness

SECRET = "crm-shared-secret"
ANA = "ana@acme.com"


class Crm:
    """A CRM on 127.0.0.1 that answers the statuses it is told to, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                crm.requests.append((dict(self.headers), body))
                status = crm.statuses.pop(0) if crm.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/mql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def crm() -> Iterator[Crm]:
    server = Crm()
    yield server
    server.server.shutdown()
    server.server.server_close()


def harness(tmp_path: Path, workspace: Path, templates: Path, url: str) -> Harness:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for path in workspace.glob("*.yaml"):
        text = path.read_text()
        if path.name == "workspace.yaml":
            text = text.replace("notify: {email_owner: true}", f"notify: {{webhook: '{url}'}}")
        (folder / path.name).write_text(text)
    nurture = make_harness(
        tmp_path, ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC)), folder, templates
    )
    nurture.runtime.crm = CrmWebhook(SECRET)
    nurture.runtime.retry = Retry(max_attempts=5, jitter=0.0)  # the waits, exactly
    return nurture


def make_ana_an_mql(nurture: Harness) -> None:
    nurture.contact(ANA, first_name="Ana", job_title="CMO", company_size=250)
    nurture.emit(ANA, "subscribed", form="newsletter")
    nurture.advance(days=1)
    nurture.emit(ANA, "content_downloaded", content_type="ebook", title="Three dashboards")
    nurture.emit(ANA, "page_viewed", url="/pricing")


def notifications(nurture: Harness) -> list[models.Notification]:
    with nurture.runtime.sessions() as session:
        return list(session.scalars(select(models.Notification).order_by(models.Notification.id)))


def test_the_mql_goes_to_the_crm_signed_with_its_whole_history(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path, crm: Crm
) -> None:
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, crm.url)
    make_ana_an_mql(nurture)

    ((headers, body),) = crm.requests
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify("another secret", body, headers[SIGNATURE_HEADER])
    assert headers[DELIVERY_HEADER] == f"notification-{notifications(nurture)[0].id}"
    payload = json.loads(body)
    assert payload["event"] == "mql"
    assert payload["handoff"]["owner"] == "maja.novak@acme.example"
    assert payload["contact"]["job_title"] == "CMO"
    assert (payload["stage"], payload["score"], payload["grade"]) == ("mql", 40, "A")
    assert [p["properties"]["url"] for p in payload["pages"]] == ["/pricing"]
    assert [f["type"] for f in payload["forms"]] == ["subscribed"]
    assert [c["properties"]["title"] for c in payload["content"]] == ["Three dashboards"]
    assert [e["step"] for e in payload["emails"]] == ["welcome", "related-content"]
    assert [(r["rule"], r["points"]) for r in payload["score_ledger"]] == [
        ("c-level", 15),
        ("mid-market", 10),
        ("ebook-download", 5),
        ("pricing-visit", 10),
    ]
    assert [s["to"] for s in payload["stage_history"]] == ["subscriber", "lead", "mql"]
    (sent,) = notifications(nurture)
    assert (sent.status, sent.attempts) == ("delivered", 1)


def test_a_failing_crm_is_retried_with_backoff_and_nothing_is_lost(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path, crm: Crm
) -> None:
    crm.statuses = [503, 500]
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, crm.url)
    make_ana_an_mql(nurture)
    handed_at = nurture.now()

    (waiting,) = notifications(nurture)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "HTTP 503: ")
    assert waiting.next_attempt_at == handed_at + timedelta(minutes=1)
    assert handoff_board(nurture.runtime)["undelivered"][0]["error"] == "HTTP 503: "

    nurture.advance(minutes=1)  # second attempt: 500, next in 2 minutes
    assert notifications(nurture)[0].attempts == 2
    nurture.advance(minutes=2)
    (delivered,) = notifications(nurture)
    assert (delivered.status, delivered.attempts) == ("delivered", 3)
    assert delivered.delivered_at == handed_at + timedelta(minutes=3)
    bodies = {body for _, body in crm.requests}
    assert len(crm.requests) == 3 and len(bodies) == 1  # the same signed body each time
    assert handoff_board(nurture.runtime)["undelivered"] == []


def test_an_unreachable_crm_fails_visibly_after_its_attempts_until_an_operator_retries(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path, crm: Crm
) -> None:
    url = crm.url
    crm.server.shutdown()
    crm.server.server_close()
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, url)
    make_ana_an_mql(nurture)
    nurture.advance(hours=6)
    (failed,) = notifications(nurture)
    assert (failed.status, failed.attempts) == ("failed", 5)  # 1 + 2 + 4 + 8 minutes apart
    assert "ConnectError" in (failed.last_error or "")
    assert failed.next_attempt_at is None
    nurture.advance(days=1)
    assert notifications(nurture)[0].attempts == 5  # nothing more, until asked

    assert retry_failures(nurture.runtime, [f"notification:{failed.id}"]) == 1
    nurture.advance(seconds=30)
    again = notifications(nurture)[0]
    assert (again.status, again.attempts) == ("pending", 1)  # a fresh round of attempts


def test_a_crm_that_refuses_the_notification_fails_it_at_once(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path, crm: Crm
) -> None:
    crm.statuses = [422]
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, crm.url)
    make_ana_an_mql(nurture)
    nurture.advance(hours=1)
    (refused,) = notifications(nurture)
    assert (refused.status, refused.attempts, refused.last_error) == ("failed", 1, "HTTP 422: ")
    assert len(crm.requests) == 1


def test_without_a_secret_the_webhook_waits_with_a_clear_error(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path, crm: Crm
) -> None:
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, crm.url)
    nurture.runtime.crm = CrmWebhook(None)
    make_ana_an_mql(nurture)
    assert crm.requests == []
    assert "NURTURE_CRM_WEBHOOK_SECRET" in (notifications(nurture)[0].last_error or "")
    nurture.runtime.crm = CrmWebhook(SECRET)
    nurture.advance(minutes=1)
    assert notifications(nurture)[0].status == "delivered"
