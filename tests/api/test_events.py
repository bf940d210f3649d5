"""POST /events: API tokens, single events and batches, clear 4xx answers."""

from __future__ import annotations

import pytest

AUTH = {"Authorization": "Bearer test-token-1"}  # NURTURE_API_TOKENS in conftest.py


def test_events_need_a_known_token(app) -> None:
    event = {"email": "ana@acme.com", "type": "subscribed"}
    assert app.client.post("/events", json=event).status_code == 401
    wrong = app.client.post("/events", json=event, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "API token" in wrong.json()["detail"]
    ok = app.client.post("/events", json=event, headers={"Authorization": "Bearer other-token"})
    assert ok.status_code == 200


def test_one_event_and_a_batch_are_stored_once(app) -> None:
    one = {
        "id": "evt-1",
        "email": "ana@acme.com",
        "type": "content_downloaded",
        "properties": {"content_type": "ebook"},
    }
    first = app.client.post("/events", json=one, headers=AUTH).json()
    assert first["accepted"] == 1 and first["duplicates"] == 0
    assert first["results"][0]["stages"] == ["lead"]
    batch = [one, {"id": "evt-2", "email": "bo@acme.com", "type": "subscribed"}]
    second = app.client.post("/events", json=batch, headers=AUTH).json()
    assert (second["accepted"], second["duplicates"]) == (1, 1)
    assert app.harness.sent_steps("bo@acme.com") == []  # sent by the scheduler, not the API
    app.harness.run_due()
    assert app.harness.sent_steps("bo@acme.com") == ["welcome/welcome"]


def test_a_bad_item_refuses_the_batch_with_its_place(app) -> None:
    batch = [
        {"email": "ana@acme.com", "type": "subscribed"},
        {"email": "not-an-address", "type": "subscribed"},
    ]
    response = app.client.post("/events", json=batch, headers=AUTH)
    assert response.status_code == 422
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", 1, "email"] in [[p for p in loc if p != "list[EventIn]"] for loc in locations]
    assert (
        app.client.post(
            "/events", content=b"{", headers=AUTH | {"Content-Type": "application/json"}
        ).status_code
        == 422
    )


def test_oversized_bodies_are_refused(app) -> None:
    huge = [{"email": f"c{i}@acme.com", "type": "subscribed"} for i in range(1000)]
    response = app.client.post("/events", json=huge, headers=AUTH)
    assert response.status_code == 413
    assert "at most 20000 bytes" in response.json()["detail"]

    streamed = app.client.post(
        "/events", content=iter([b"[" + b" " * 30_000, b"]"]), headers=AUTH
    )  # no Content-Length: counted as it streams
    assert streamed.status_code == 413


def test_batches_are_bounded_in_items(app) -> None:
    app.harness.runtime.engine  # noqa: B018
    from nurture.api.events import MAX_BATCH

    assert MAX_BATCH == 1000
    schema = app.client.get("/openapi.json").json()
    body = schema["paths"]["/events"]["post"]["requestBody"]["content"]["application/json"]
    batch = next(s for s in body["schema"]["anyOf"] if s.get("type") == "array")
    assert batch["maxItems"] == 1000


def _stored(app, kind: str) -> int:
    from sqlalchemy import func, select

    from nurture.store import models

    with app.harness.runtime.sessions() as session:
        return session.scalar(select(func.count()).where(models.Event.type == kind)) or 0


def test_a_time_out_of_range_refuses_the_batch_naming_the_item(app) -> None:
    batch = [
        {"email": "ana@acme.com", "type": "page_viewed", "at": "2026-03-02T07:00:00Z"},
        {"email": "bo@acme.com", "type": "page_viewed", "at": "9999-12-31T23:59:59Z"},
        {"email": "cy@acme.com", "type": "page_viewed", "at": "1999-12-31T23:59:59"},
    ]
    response = app.client.post("/events", json=batch, headers=AUTH)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", 1, "at"], ["body", 2, "at"]]
    assert "too late" in errors[0]["msg"]
    assert "NURTURE_TIME_EARLIEST" in errors[1]["msg"]
    assert _stored(app, "page_viewed") == 0  # all or nothing


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00"]
)
def test_an_extreme_time_is_a_422_and_the_contact_stays_healthy(app, at: str) -> None:
    event = {"email": "ana@acme.com", "type": "page_viewed", "at": at}
    response = app.client.post("/events", json=event, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "at"
    ok = {"email": "ana@acme.com", "type": "content_downloaded", "properties": {"x": 1}}
    assert app.client.post("/events", json=ok, headers=AUTH).status_code == 200


def test_nan_and_infinity_are_refused(app) -> None:
    for token in (b"NaN", b"Infinity", b"-Infinity"):
        body = (
            b'{"email": "ana@acme.com", "type": "page_viewed", "properties": {"n": ' + token + b"}}"
        )
        response = app.client.post(
            "/events", content=body, headers=AUTH | {"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "properties"]
    assert _stored(app, "page_viewed") == 0


def test_an_address_error_is_in_words(app) -> None:
    event = {"email": "a,victim@x.example", "type": "subscribed"}
    [error] = app.client.post("/events", json=event, headers=AUTH).json()["detail"]
    assert "invalid characters before the @-sign" in error["msg"]
    assert "pattern" not in error["msg"]
