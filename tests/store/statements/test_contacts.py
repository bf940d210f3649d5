"""The console's contact search: a fragment matches literally, wildcards and all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from nurture.store import models
from nurture.store.db import make_engine
from nurture.store.statements import contacts

EMAILS = ["a_b@x.com", "axb@x.com", "50%@x.com", "500@x.com", "c/d@x.com", "c@x.com"]


def test_matching_takes_a_fragment_literally(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    models.Base.metadata.create_all(engine)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    rows = [
        {
            "email": email,
            "band": "cold",
            "grade": "D",
            "stage_changed_at": start,
            "created_at": start,
            "updated_at": start + timedelta(minutes=n),
        }
        for n, email in enumerate(EMAILS)
    ]
    with engine.begin() as connection:
        connection.execute(insert(models.Contact), rows)

        def found(text: str) -> list[str]:
            params = {"fragment": contacts.like_fragment(text), "limit": 10}
            return [r.email for r in connection.execute(contacts.MATCHING, params)]

        assert found("_") == ["a_b@x.com"]
        assert found("%") == ["50%@x.com"]
        assert found("/") == ["c/d@x.com"]
        assert found("@x.com") == EMAILS[::-1]
        assert [r.email for r in connection.execute(contacts.RECENT, {"limit": 2})] == [
            "c@x.com",
            "c/d@x.com",
        ]
