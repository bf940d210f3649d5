"""`scores recompute` replays events through a changed model and lands where live scoring does."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.definitions.loader import load_workspace
from nurture.engine import feedback
from nurture.engine.recompute import recompute
from nurture.store import models
from nurture.testing import Harness, make_harness

START = datetime(2026, 3, 2, 8, tzinfo=UTC)
CHANGES = {
    # Pricing is worth more, webinars are capped harder, clicks decay by a fixed amount.
    '{id: pricing-visit, event: page_viewed, where: {url: "/pricing*"}, points: 10}': (
        '{id: pricing-visit, event: page_viewed, where: {url: "/pricing*"}, points: 25}'
    ),
    "cap: {count: 3, per: 90d}": "cap: {count: 2, per: 30d}",
    "decay: {half_life: 30d}": "decay: {amount: 1, every: 10d}",
    "inactivity: {after: 30d, points: -10}": "inactivity: {after: 21d, points: -7}",
}


def changed_workspace(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.glob("*.yaml"):
        text = path.read_text()
        if path.name == "scoring.yaml":
            for old, new in CHANGES.items():
                assert old in text
                text = text.replace(old, new)
        (target / path.name).write_text(text)
    return target


def play(nurture: Harness) -> None:
    """Three contacts over four months: caps, decaying clicks, silence, a recycle."""
    nurture.contact("ana@acme.com", job_title="CMO", company_size=250)
    nurture.contact("bo@globex.example", job_title="Analyst")
    nurture.contact("cy@initech.example", job_title="VP Sales", company_size=80)
    for week in range(6):
        nurture.emit("bo@globex.example", "webinar_attended", webinar=f"w{week}")
        nurture.emit("bo@globex.example", "email_clicked", url=f"/blog/{week}")
        nurture.emit("bo@globex.example", "email_clicked", url=f"/docs/{week}")
        nurture.advance(days=7)
    nurture.emit("ana@acme.com", "content_downloaded", content_type="ebook")
    nurture.emit("cy@initech.example", "page_viewed", url="/pricing")
    nurture.emit("cy@initech.example", "demo_requested")
    nurture.advance(days=2)
    feedback.reject(nurture.runtime, "cy@initech.example", "wrong department")
    nurture.advance(days=40)
    nurture.emit("ana@acme.com", "page_viewed", url="/pricing")
    nurture.emit("cy@initech.example", "email_clicked", url="/case")
    nurture.advance(days=50)


def ledger(nurture: Harness) -> dict[str, tuple[int, Counter[tuple[str, str]]]]:
    """Each contact's score and points per (kind, rule): how the score is made up."""
    result = {}
    with nurture.runtime.sessions() as session:
        for contact in session.scalars(select(models.Contact)):
            rows = session.scalars(
                select(models.ScoreEntry).where(models.ScoreEntry.contact_id == contact.id)
            ).all()
            by_rule: Counter[tuple[str, str]] = Counter()
            for row in rows:
                by_rule[row.kind, row.rule] += row.points
            assert contact.score == sum(row.points for row in rows)
            result[contact.email] = (contact.score, +by_rule)
    return result


def test_recompute_gives_what_live_scoring_of_the_same_events_gives(
    tmp_path: Path, nurture_templates: Path, nurture_workspace: Path
) -> None:
    (tmp_path / "old").mkdir()
    live_old = make_harness(
        tmp_path / "old", ManualClock(START), nurture_workspace, nurture_templates
    )
    play(live_old)
    before = ledger(live_old)
    # Under the model it was scored with, a replay changes nothing.
    assert recompute(live_old.runtime).changed == 0
    assert ledger(live_old) == before

    changed = changed_workspace(nurture_workspace, tmp_path / "changed")
    (tmp_path / "new").mkdir()
    live_new = make_harness(tmp_path / "new", ManualClock(START), changed, nurture_templates)
    play(live_new)
    expected = ledger(live_new)
    assert before != expected  # the change matters

    live_old.runtime.workspace = load_workspace(changed, nurture_templates)
    result = recompute(live_old.runtime)
    assert result.contacts == 3
    assert result.changed == sum(before[e][0] != s for e, (s, _) in expected.items())
    assert ledger(live_old) == expected
    for email in expected:
        assert live_old.summary(email)["band"] == live_new.summary(email)["band"]
