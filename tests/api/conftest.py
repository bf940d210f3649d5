"""The HTTP app on a harness: the example workspace plus a low score for opens."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from nurture.api.app import create_app
from nurture.settings import load_settings
from nurture.testing import Harness, make_harness

TOKEN = "test-token-1"


@dataclass
class App:
    harness: Harness
    client: TestClient
    key: ec.EllipticCurvePrivateKey

    def sign(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(self.harness.now().timestamp()) if timestamp is None else timestamp)
        signature = self.key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts,
            "Content-Type": "application/json",
        }

    def webhook(self, items: object, **sign: int):
        body = json.dumps(items).encode()
        return self.client.post("/webhooks/sendgrid", content=body, headers=self.sign(body, **sign))


def public_key_text(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


@pytest.fixture
def workspace(tmp_path: Path, nurture_workspace: Path) -> Path:
    folder = tmp_path / "journeys"
    shutil.copytree(nurture_workspace, folder)
    return folder


@pytest.fixture
def app(tmp_path, nurture_clock, workspace, nurture_templates) -> Iterator[App]:
    harness = make_harness(tmp_path, nurture_clock, workspace, nurture_templates)
    key = ec.generate_private_key(ec.SECP256R1())
    settings = load_settings(
        api_tokens=f"{TOKEN}, other-token",
        sendgrid_webhook_public_key=public_key_text(key),
        max_request_bytes=20_000,
    )
    with TestClient(create_app(harness.runtime, settings), follow_redirects=False) as client:
        yield App(harness, client, key)
    harness.runtime.engine.dispose()
