"""The SendGrid provider against a local fake of the v3 mail-send endpoint (never the internet)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.sendgrid import SendGridProvider
from nurture.errors import ProviderError, ProviderRejected
from nurture.store import models
from nurture.testing import make_harness


class FakeSendGrid:
    """Answers /v3/mail/send from a script of (status, headers, body); records each request."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], bytes]] = []
        self.requests: list[tuple[str, dict[str, str], dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                fake.requests.append((self.path, dict(self.headers), body))
                status, headers, payload = (
                    fake.script.pop(0) if fake.script else (202, {"X-Message-Id": "sg-ok"}, b"")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    server = FakeSendGrid()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def provider(fake: FakeSendGrid, waits: list[float]) -> SendGridProvider:
    return SendGridProvider(
        "SG.test-key",
        host=fake.url,
        sandbox=True,
        max_retries=3,
        sleep=waits.append,
        clock=ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)),
    )


EMAIL = OutgoingEmail(
    message_uid="7d3f2a4e-1111-4222-8333-944455556666",
    to="ana@acme.com",
    from_email="hello@acme.example",
    from_name="Acme Marketing",
    subject="Welcome",
    html="<p>Hi</p>",
    text="Hi\n",
    journey="welcome",
    step="welcome",
    headers={
        "List-Unsubscribe": "<https://x.example/u/t>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
)


def test_the_request_body_carries_our_ids_and_nothing_personal(provider, fake) -> None:
    assert provider.send(EMAIL) == "sg-ok"
    [(path, headers, body)] = fake.requests
    assert path == "/v3/mail/send"
    assert headers["Authorization"] == "Bearer SG.test-key"
    assert headers["Idempotency-Key"] == EMAIL.message_uid
    assert body == {
        "from": {"name": "Acme Marketing", "email": "hello@acme.example"},
        "subject": "Welcome",
        "personalizations": [{"to": [{"email": "ana@acme.com"}]}],
        "content": [
            {"type": "text/plain", "value": "Hi\n"},
            {"type": "text/html", "value": "<p>Hi</p>"},
        ],
        "headers": {
            "X-Nurture-Journey": "welcome",
            "X-Nurture-Step": "welcome",
            "X-Nurture-Message-Id": EMAIL.message_uid,
            "List-Unsubscribe": "<https://x.example/u/t>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Date": "Mon, 02 Mar 2026 09:00:00 +0000",
            "Message-ID": f"<{EMAIL.message_uid}@acme.example>",
        },
        "custom_args": {
            "nurture_message_id": EMAIL.message_uid,
            "nurture_journey": "welcome",
            "nurture_step": "welcome",
        },
        "categories": ["welcome"],
        "mail_settings": {"sandbox_mode": {"enable": True}},
        "tracking_settings": {
            "click_tracking": {"enable": False, "enable_text": False},
            "open_tracking": {"enable": False},
            "subscription_tracking": {"enable": False},
        },
    }
    assert all(isinstance(v, str) for v in body["custom_args"].values())


def test_reply_to_goes_in_its_own_field_which_sendgrid_requires(provider, fake) -> None:
    email = replace(EMAIL, headers={**EMAIL.headers, "Reply-To": "sales@acme.example"})
    provider.send(email)
    [(_, _, body)] = fake.requests
    assert body["reply_to"] == {"email": "sales@acme.example"}
    assert "Reply-To" not in body["headers"]


def test_429_and_5xx_are_retried_honouring_retry_after(provider, fake, waits) -> None:
    fake.script = [
        (429, {"Retry-After": "7"}, b'{"errors":[{"message":"too many"}]}'),
        (503, {}, b"unavailable"),
        (202, {"X-Message-Id": "sg-2"}, b""),
    ]
    assert provider.send(EMAIL) == "sg-2"
    assert waits == [7.0, 2.0]
    assert len(fake.requests) == 3
    assert {r[2]["custom_args"]["nurture_message_id"] for r in fake.requests} == {EMAIL.message_uid}


def test_a_4xx_is_final_and_not_retried(provider, fake, waits) -> None:
    fake.script = [(400, {}, b'{"errors":[{"message":"bad from address"}]}')]
    with pytest.raises(ProviderRejected, match=r"400.*bad from address"):
        provider.send(EMAIL)
    assert len(fake.requests) == 1
    assert waits == []


def test_a_lasting_outage_gives_up_after_bounded_retries(provider, fake, waits) -> None:
    fake.script = [(500, {}, b"oops")] * 4
    with pytest.raises(ProviderError, match=r"500.*4 attempts") as raised:
        provider.send(EMAIL)
    assert not isinstance(raised.value, ProviderRejected)
    assert waits == [1.0, 2.0, 4.0]
    assert len(fake.requests) == 4


def test_through_the_engine_a_4xx_is_recorded_on_the_message(
    tmp_path, nurture_clock, nurture_workspace, nurture_templates, fake
) -> None:
    provider = SendGridProvider("SG.k", host=fake.url, sleep=lambda s: None)
    harness = make_harness(
        tmp_path, nurture_clock, nurture_workspace, nurture_templates, provider=provider
    )
    fake.script = [(403, {}, b'{"errors":[{"message":"sender not verified"}]}')]
    harness.emit("ana@acme.com", "subscribed")
    with harness.runtime.sessions() as session:
        [message] = session.scalars(select(models.Message)).all()
    assert message.status == "failed"
    assert "403" in (message.error or "") and "sender not verified" in (message.error or "")
    with harness.runtime.sessions() as session:
        [enrollment] = session.scalars(select(models.Enrollment)).all()
    assert (enrollment.status, enrollment.exit_reason, enrollment.attempts) == (
        "exited",
        "failed",
        1,
    )  # refused for good: failed at its first attempt, the journey stops there
    harness.advance(days=2, hours=1)
    assert harness.sent_steps("ana@acme.com") == []
    assert len(fake.requests) == 1  # the refused email was never sent again
    assert "/c/" in fake.requests[0][2]["content"][1]["value"]  # tracked links reach SendGrid
