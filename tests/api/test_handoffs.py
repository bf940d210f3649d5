"""Sales answers a handoff over HTTP, as it would with `nurture handoff`."""

from __future__ import annotations

from sqlalchemy import select

from nurture.store import models

AUTH = {"Authorization": "Bearer test-token-1"}  # NURTURE_API_TOKENS in conftest.py
RAY = "ray@bigco.example"
BANT = {"budget": "50k", "authority": "CFO signs", "need": "reporting", "timeline": "Q3"}


def _mql(app, email: str = RAY) -> None:
    app.harness.contact(email, job_title="CTO", company_size=250)
    app.harness.emit(email, "demo_requested")
    assert app.harness.stage(email) == "mql"


def test_accept_then_qualify_move_the_mql_to_sal_then_sql(app) -> None:
    _mql(app)
    accepted = app.client.post(f"/handoffs/{RAY}/accept", headers=AUTH)
    assert accepted.status_code == 200, accepted.text
    assert app.harness.stage(RAY) == "sal"
    again = app.client.post(f"/handoffs/{RAY}/accept", headers=AUTH)
    assert again.status_code == 409
    qualified = app.client.post(f"/handoffs/{RAY}/qualify", json=BANT, headers=AUTH)
    assert qualified.status_code == 200, qualified.text
    assert app.harness.stage(RAY) == "sql"


def test_reject_recycles_with_the_reason(app) -> None:
    _mql(app)
    rejected = app.client.post(
        f"/handoffs/{RAY}/reject", json={"reason": "no budget", "by": "maja"}, headers=AUTH
    )
    assert rejected.status_code == 200, rejected.text
    assert app.harness.stage(RAY) == "recycled"
    assert rejected.json() == {"email": RAY, "result": "recycled"}
    with app.harness.runtime.sessions() as session:
        cause = session.scalars(
            select(models.StageChange.cause).order_by(models.StageChange.id.desc())
        ).first()
    assert "no budget" in (cause or "")
    assert "re-nurture" in [e.data.get("journey") for e in app.harness.timeline(RAY)]


def test_bad_requests_get_clear_4xx(app) -> None:
    _mql(app)
    assert app.client.post(f"/handoffs/{RAY}/accept").status_code == 401
    assert app.client.post("/handoffs/nobody@x.example/accept", headers=AUTH).status_code == 404
    missing = app.client.post(f"/handoffs/{RAY}/qualify", json={"budget": "x"}, headers=AUTH)
    assert missing.status_code == 422
    assert app.client.post(f"/handoffs/{RAY}/reject", json={}, headers=AUTH).status_code == 422
    assert app.harness.stage(RAY) == "mql"
