"""SendGrid's signed event webhook: genuine posts only, each event once, good items kept."""

from __future__ import annotations

import json

from sqlalchemy import select

from nurture.store import models

ANA = "ana@acme.com"


def _sent_uid(app) -> str:
    app.harness.emit(ANA, "subscribed")
    with app.harness.runtime.sessions() as session:
        [uid] = session.scalars(select(models.Message.uid).where(models.Message.status == "sent"))
    return uid


def _event(kind: str, event_id: str, uid: str = "", **extra) -> dict:
    item = {"email": ANA, "timestamp": 1772438400, "event": kind, "sg_event_id": event_id}
    if uid:
        item |= {"nurture_message_id": uid, "nurture_journey": "welcome", "nurture_step": "welcome"}
    return item | extra


def _events(app, kind: str) -> list[models.Event]:
    with app.harness.runtime.sessions() as session:
        return list(session.scalars(select(models.Event).where(models.Event.type == kind)))


def test_a_forged_webhook_is_rejected(app) -> None:
    body = json.dumps([_event("spamreport", "forged-1")]).encode()
    headers = app.sign(body)
    tampered = body.replace(b"spamreport", b"spamreporT")
    response = app.client.post("/webhooks/sendgrid", content=tampered, headers=headers)
    assert response.status_code == 403
    assert "forged" in response.json()["detail"]
    assert _events(app, "spam_reported") == []


def test_unsigned_and_stale_posts_are_rejected(app) -> None:
    body = json.dumps([_event("delivered", "e-1")]).encode()
    unsigned = app.client.post(
        "/webhooks/sendgrid", content=body, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 403
    assert "unsigned" in unsigned.json()["detail"]
    stale_ts = int(app.harness.now().timestamp()) - 3600
    stale = app.client.post("/webhooks/sendgrid", content=body, headers=app.sign(body, stale_ts))
    assert stale.status_code == 403
    assert "stale" in stale.json()["detail"]
    assert _events(app, "email_delivered") == []


def test_a_signature_from_another_key_is_rejected(app) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    body = json.dumps([_event("delivered", "e-1")]).encode()
    app.key = ec.generate_private_key(ec.SECP256R1())
    response = app.client.post("/webhooks/sendgrid", content=body, headers=app.sign(body))
    assert response.status_code == 403


def test_events_map_to_our_vocabulary_with_our_ids(app) -> None:
    uid = _sent_uid(app)
    items = [
        _event("processed", "p-1", uid),
        _event("delivered", "d-1", uid),
        _event("deferred", "df-1", uid, response="try later"),
        _event("click", "c-1", uid, url="https://acme.example/pricing"),
        _event("group_unsubscribe", "gu-1", uid, asm_group_id=7),
        _event("group_resubscribe", "gr-1", uid, asm_group_id=7),
        _event("not_a_type", "x-1", uid),
    ]
    response = app.webhook(items)
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 6, "duplicates": 0, "ignored": 1, "rejected": []}
    [click] = _events(app, "email_clicked")
    assert click.source_id == "sendgrid:c-1"
    assert click.properties == {
        "provider": "sendgrid",
        "message_id": uid,
        "journey": "welcome",
        "step": "welcome",
        "url": "https://acme.example/pricing",
    }
    for kind in ("email_processed", "email_delivered", "email_deferred", "unsubscribed"):
        assert len(_events(app, kind)) == 1, kind
    # the group resubscribe undid the group unsubscribe
    with app.harness.runtime.sessions() as session:
        assert session.scalars(select(models.Suppression)).all() == []


def test_redelivered_events_are_stored_once_and_score_once(app) -> None:
    uid = _sent_uid(app)
    before = app.harness.score(ANA)
    click = _event("click", "c-9", uid, url="https://acme.example/a")
    for _ in range(3):
        assert app.webhook([click]).status_code == 200
    last = app.webhook([click, click]).json()
    assert last["duplicates"] == 2
    assert len(_events(app, "email_clicked")) == 1
    assert app.harness.score(ANA) == before + 2


def test_machine_opens_are_stored_but_never_score(app) -> None:
    uid = _sent_uid(app)
    before = app.harness.score(ANA)
    app.webhook([_event("open", "o-machine", uid, sg_machine_open=True)])
    assert app.harness.score(ANA) == before
    app.webhook([_event("open", "o-human", uid, sg_machine_open=False)])
    assert app.harness.score(ANA) == before + 1  # opens count for little, but count
    opens = _events(app, "email_opened")
    assert sorted(o.properties["machine_open"] for o in opens) == [False, True]


def test_one_bad_item_never_loses_the_good_ones(app) -> None:
    uid = _sent_uid(app)
    items = [
        _event("delivered", "good-1", uid),
        {"event": "delivered"},  # no id, no email
        "not an object",
        _event("click", "bad-email", uid, email="not-an-address", url="https://x.example"),
        _event("bounce", "good-2", uid, type="bounce", reason="550 no such user"),
    ]
    result = app.webhook(items).json()
    assert result["accepted"] == 2
    assert [r["index"] for r in result["rejected"]] == [1, 2, 3]
    assert "email" in result["rejected"][2]["error"]
    assert len(_events(app, "email_delivered")) == 1
    assert len(_events(app, "email_bounced")) == 1


def test_a_hard_bounce_and_a_spam_report_suppress(app) -> None:
    uid = _sent_uid(app)
    app.webhook([_event("bounce", "b-1", uid, type="bounce", reason="550 unknown user")])
    with app.harness.runtime.sessions() as session:
        [row] = session.scalars(select(models.Suppression)).all()
        assert (row.email, row.reason) == (ANA, "hard_bounce")
    other = "bo@acme.com"
    app.harness.emit(other, "subscribed")
    app.webhook([_event("spamreport", "s-1", email=other)])
    app.harness.advance(days=10)
    assert app.harness.sent_steps(ANA) == ["welcome/welcome"]
    assert app.harness.sent_steps(other) == ["welcome/welcome"]


def test_a_soft_bounce_alone_does_not_suppress(app) -> None:
    uid = _sent_uid(app)
    app.webhook([_event("bounce", "sb-1", uid, type="blocked", reason="mailbox full")])
    [bounce] = _events(app, "email_bounced")
    assert bounce.properties["bounce_type"] == "soft"
    app.harness.advance(days=3)
    assert app.harness.sent_steps(ANA) == ["welcome/welcome", "welcome/getting-started"]


def test_the_webhook_is_off_without_a_public_key(
    tmp_path, nurture_clock, workspace, nurture_templates
):
    from fastapi.testclient import TestClient

    from nurture.api.app import create_app
    from nurture.settings import load_settings
    from nurture.testing import make_harness

    harness = make_harness(tmp_path, nurture_clock, workspace, nurture_templates)
    client = TestClient(create_app(harness.runtime, load_settings()))
    response = client.post("/webhooks/sendgrid", json=[])
    assert response.status_code == 503
    assert "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY" in response.json()["detail"]


def test_timestamps_out_of_range_are_reported_and_the_rest_are_stored(app) -> None:
    uid = _sent_uid(app)
    items = [
        _event("delivered", "inf", uid, timestamp=float("inf")),  # sent as the token Infinity
        _event("delivered", "huge", uid, timestamp=1e20),
        _event("delivered", "nan", uid, timestamp=float("nan")),
        _event("delivered", "future", uid, timestamp=1772438400 + 3 * 86400),
        _event("delivered", "ancient", uid, timestamp=0),
        _event("click", "good", uid, url="https://acme.com/pricing"),
    ]
    response = app.webhook(items)
    assert response.status_code == 200
    result = response.json()
    assert result["accepted"] == 1
    assert [r["index"] for r in result["rejected"]] == [0, 1, 2, 3, 4]
    assert all(r["error"].startswith("timestamp: ") for r in result["rejected"])
    assert "ahead of the clock" in result["rejected"][3]["error"]
    assert _events(app, "email_delivered") == []
    assert len(_events(app, "email_clicked")) == 1
    again = app.webhook(items).json()  # SendGrid's retry: the same answer, nothing new
    assert (again["accepted"], again["duplicates"], len(again["rejected"])) == (0, 1, 5)


def test_a_body_nested_too_deeply_is_a_400(app) -> None:
    body = b"[" * 100_00 + b"]" * 100_00
    response = app.client.post("/webhooks/sendgrid", content=body, headers=app.sign(body))
    assert response.status_code == 400
