"""Signed links: the tokens are itsdangerous's own, byte for byte, and forgeries are refused."""

from __future__ import annotations

import random
import uuid

import pytest
from itsdangerous import URLSafeSerializer

from nurture.delivery.links import Links

SECRET = "a-secret-key-for-tests"
URLS = [
    "https://acme.example/welcome",
    "https://acme.example/ünïcode/päth?q=ž",
    "https://acme.example/" + "abc" * 40,  # long and repetitive: its token is compressed
    "",
]


@pytest.mark.parametrize("url", URLS)
def test_tokens_are_those_itsdangerous_makes(url: str) -> None:
    links = Links(SECRET, "https://t.example/")
    for _ in range(5):
        uid = str(uuid.uuid4())
        for salt, made, value in [
            ("unsubscribe", links.unsubscribe_url(uid).rsplit("/", 1)[1], uid),
            ("open", links.open_url(uid).rsplit("/", 1)[1].removesuffix(".gif"), uid),
            ("click", links.click_url(uid, url).split("/c/", 1)[1], [uid, url]),
        ]:
            assert made == URLSafeSerializer(SECRET, salt=salt).dumps(value)


def test_payloads_are_compressed_exactly_when_itsdangerous_compresses_them() -> None:
    rng = random.Random(18)
    alphabets = ["0123456789abcdef-", "ab", "abc/:.", "".join(map(chr, range(32, 127)))]
    for _ in range(3000):
        size = rng.randint(1, 260)
        text = "".join(rng.choice(rng.choice(alphabets)) for _ in range(size))
        if rng.random() < 0.3:
            text = text[: size // 2] * 2  # long repeats
        expected = URLSafeSerializer(SECRET, salt="click").dumps(["uid", text])
        assert Links(SECRET, "https://t.example").click_url("uid", text).endswith("/" + expected)


def test_a_compressed_token_is_read_back() -> None:
    links = Links(SECRET, "https://t.example")
    token = links.click_url("uid-1", URLS[2]).split("/c/", 1)[1]
    assert token.startswith(".")
    assert links.read_click(token) == ("uid-1", URLS[2])


def test_tokens_of_another_salt_or_key_are_refused() -> None:
    links = Links(SECRET, "https://t.example")
    unsubscribe = links.unsubscribe_url("uid-1").rsplit("/", 1)[1]
    assert links.read_unsubscribe(unsubscribe) == "uid-1"
    assert links.read_open(unsubscribe) is None
    assert Links("another-key", "https://t.example").read_unsubscribe(unsubscribe) is None
