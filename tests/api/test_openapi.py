"""The published OpenAPI document, fuzzed in-process by schemathesis (a bounded run)."""

from __future__ import annotations

import base64

import pytest
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from nurture.api.app import create_app
from nurture.clock import ManualClock
from nurture.settings import load_settings
from nurture.testing import DEFAULT_START, make_harness

AUTH = {"Authorization": "Bearer fuzz-token"}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, request):
    root = request.config.rootpath
    harness = make_harness(
        tmp_path_factory.mktemp("openapi"),
        ManualClock(DEFAULT_START),
        root / "example",
        root / "example" / "templates",
    )
    der = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    config = load_settings(
        api_tokens="fuzz-token", sendgrid_webhook_public_key=base64.b64encode(der).decode()
    )
    app = create_app(harness.runtime, config)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    harness.runtime.engine.dispose()


def _operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_the_api_honours_its_openapi_document(api_schema) -> None:
    """No 5xx, and every answer matches the document (status, content type, body schema)."""
    operations = _operations(api_schema)
    assert len(operations) == 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            # Genuine tokens and signatures cannot be generated: those answers are 4xx by design.
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])

        run()


def test_the_document_names_every_endpoint(api_schema) -> None:
    client = TestClient(api_schema.app)
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/events",
        "/webhooks/sendgrid",
        "/c/{token}",
        "/o/{token}",
        "/u/{token}",
        "/u/{token}/resubscribe",
        "/handoffs/{email}/accept",
        "/handoffs/{email}/reject",
        "/handoffs/{email}/qualify",
    }
    assert paths["/events"]["post"]["security"] == [{"HTTPBearer": []}]
