"""Hostile input at the HTTP doors: POST /events and the signed SendGrid webhook.

Whatever a client sends, the answer is never a 500, and after every case the store stays
consistent (strict JSON only, no contact created in the future, every score its ledger's sum).
Examples are bounded so the suite runs in CI in seconds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nurture.delivery.webhooks.sendgrid import EVENT_TYPES

AUTH = {"Authorization": "Bearer test-token-1", "Content-Type": "application/json"}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ADDRESSES = st.one_of(
    st.sampled_from(
        [
            "ana@acme.com",
            "Bo@Acme.com",
            "a,victim@x.example",
            "a\x00b@x.example",
            "a\x08@x.example",
            "a@<svg/onload=alert(3)>.example",
            "ana@bücher.example",
            "Ana <ana@acme.com>",
            "ana@localhost",
            "",
        ]
    ),
    st.text(max_size=40),
    st.builds(lambda a, b: f"{a}@{b}.example", st.text(max_size=12), st.text(max_size=12)),
)
MOMENTS = st.one_of(
    st.datetimes(min_value=datetime(1999, 6, 1)).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "+14:00"),
    st.datetimes().map(lambda d: d.isoformat() + "-12:00"),
    st.sampled_from(
        ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2026-03-02T07:00:00Z", "", "now"]
    ),
    st.integers(),
    st.floats(),
    st.none(),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and Infinity included: json.dumps writes them as bare tokens
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
EVENTS = st.fixed_dictionaries(
    {
        "email": ADDRESSES,
        "type": st.sampled_from(["page_viewed", "email_clicked", "subscribed", "Bad Type", ""]),
    },
    optional={
        "id": st.text(max_size=30),
        "at": MOMENTS,
        "properties": st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=4),
        "extra": JSON_VALUES,
    },
)


GOOD_ADDRESSES = st.sampled_from(["ana@acme.com", "bo@globex.example", "Cy@Initech.example"])
GOOD_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2026, 3, 3, 7, 59), timezones=st.just(UTC)
).map(datetime.isoformat)
GOOD_EVENTS = st.fixed_dictionaries(
    {
        "email": GOOD_ADDRESSES,
        "type": st.sampled_from(["page_viewed", "email_clicked", "webinar_attended", "subscribed"]),
    },
    optional={
        "id": st.text(min_size=1, max_size=30),
        "at": GOOD_MOMENTS,
        "properties": st.dictionaries(
            st.sampled_from(["url", "content_type", "n"]),
            st.sampled_from(["/pricing", "ebook", 3, 2.5, None]),
            max_size=2,
        ),
    },
)
ANY_EVENT = st.one_of(GOOD_EVENTS, GOOD_EVENTS, EVENTS)


def assert_consistent(app, store_consistency) -> None:
    assert store_consistency(app.harness.runtime.engine, app.harness.now()) == []


@FUZZ
@given(
    body=st.one_of(ANY_EVENT, st.lists(ANY_EVENT, max_size=5), st.lists(GOOD_EVENTS), JSON_VALUES)
)
def test_post_events_never_fails_and_keeps_the_store_consistent(
    app, store_consistency, body: Any
) -> None:
    response = app.client.post("/events", content=json.dumps(body).encode(), headers=AUTH)
    assert response.status_code in (200, 422), response.text
    event(f"status {response.status_code}")
    if response.status_code == 422:
        assert all(problem["loc"] and problem["msg"] for problem in response.json()["detail"])
    assert_consistent(app, store_consistency)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_post_events_with_any_bytes_is_a_4xx(app, raw: bytes) -> None:
    response = app.client.post("/events", content=raw, headers=AUTH)
    assert response.status_code in (200, 400, 422), response.text


NOW = 1772438400  # the harness clock, 2026-03-02T08:00:00Z
ITEMS = st.fixed_dictionaries(
    {
        "event": st.sampled_from([*EVENT_TYPES, "group_unsubscribe", "unknown"]),
        "sg_event_id": st.text(min_size=1, max_size=12),
        "email": st.one_of(GOOD_ADDRESSES, GOOD_ADDRESSES, ADDRESSES),
        "timestamp": st.one_of(
            st.integers(min_value=NOW - 86400 * 400, max_value=NOW + 86400 * 2),
            st.integers(min_value=NOW - 86400 * 400, max_value=NOW),
            st.integers(),
            st.floats(),
            st.sampled_from([float("inf"), float("-inf"), float("nan"), 1e20, "1772438400"]),
        ),
    },
    optional={
        "type": st.sampled_from(["bounce", "blocked"]),
        "reason": JSON_VALUES,
        "url": JSON_VALUES,
        "sg_machine_open": JSON_VALUES,
        "asm_group_id": JSON_VALUES,
        "nurture_message_id": st.text(max_size=10),
    },
)


GOOD_ITEMS = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["delivered", "open", "click", "bounce"]),
        "sg_event_id": st.uuids().map(str),
        "email": GOOD_ADDRESSES,
        "timestamp": st.integers(min_value=NOW - 86400 * 400, max_value=NOW),
    }
)


@FUZZ
@given(items=st.lists(st.one_of(GOOD_ITEMS, ITEMS, JSON_VALUES), max_size=6))
def test_signed_webhook_reports_every_item_and_never_fails(
    app, store_consistency, items: list[Any]
) -> None:
    response = app.webhook(items)
    assert response.status_code == 200, response.text
    result = response.json()
    counted = result["accepted"] + result["duplicates"] + result["ignored"]
    assert counted + len(result["rejected"]) == len(items)
    event(f"accepted {min(result['accepted'], 1)}")
    assert all(r["error"] != "could not be stored; retry later" for r in result["rejected"])
    assert_consistent(app, store_consistency)
