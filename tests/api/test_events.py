"""POST /events: API tokens, single events and batches, clear 4xx answers."""

from __future__ import annotations

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
