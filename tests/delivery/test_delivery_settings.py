"""Delivery settings: a bad value is one line naming the variable; the backend is chosen."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from nurture.bootstrap import _provider
from nurture.delivery.providers.sendgrid import SendGridProvider
from nurture.errors import ConfigError
from nurture.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("NURTURE_") or name.upper() == "SENDGRID_API_KEY":
            monkeypatch.delenv(name)


def _der(key) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def test_a_bad_webhook_key_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY", "not-a-key")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("bad configuration: NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY=")
    assert "base64 DER public key" in message
    rsa_key = _der(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    monkeypatch.setenv("NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY", rsa_key)
    with pytest.raises(ConfigError, match="not an elliptic-curve"):
        load_settings()
    monkeypatch.setenv(
        "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY", _der(ec.generate_private_key(ec.SECP256R1()))
    )
    assert load_settings().sendgrid_webhook_public_key


def test_api_tokens_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_API_TOKENS", " a1, b2 ,,")
    assert load_settings().api_token_set == {"a1", "b2"}
    assert load_settings(api_tokens=None).api_token_set == frozenset()


def test_the_sendgrid_backend_needs_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_EMAIL_BACKEND", "sendgrid")
    with pytest.raises(ConfigError, match="needs SENDGRID_API_KEY"):
        _provider(load_settings())
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.x")
    monkeypatch.setenv("NURTURE_SENDGRID_SANDBOX", "true")
    provider = _provider(load_settings())
    assert isinstance(provider, SendGridProvider)
    assert provider.sandbox is True
