"""Send rules at send time: windows in the contact's zone, the frequency cap, soft bounces."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.engine.contacts import find_contact
from nurture.engine.journeys import enroll
from nurture.store import models
from nurture.testing import make_harness

BURST = """
id: burst
name: Burst
priority: 5
{when_capped}
entry:
  stages: [lead]
steps:
  - {{id: one, type: send, template: welcome}}
  - {{id: w1, type: wait, duration: 1d}}
  - {{id: two, type: send, template: welcome}}
  - {{id: w2, type: wait, duration: 1d}}
  - {{id: three, type: send, template: welcome}}
  - {{id: w3, type: wait, duration: 1d}}
  - {{id: four, type: send, template: welcome}}
  - {{id: w4, type: wait, duration: 1d}}
  - {{id: five, type: send, template: welcome}}
"""


def _harness(tmp_path: Path, workspace: Path, templates: Path, start: datetime, journey: str = ""):
    folder = tmp_path / "journeys"
    shutil.copytree(workspace, folder)
    if journey:
        (folder / "welcome.yaml").unlink()
        (folder / "burst.yaml").write_text(journey)
    return make_harness(tmp_path, ManualClock(start), folder, templates)


def _sent_at(harness, email: str) -> list[tuple[str, datetime]]:
    return [(m["step"], datetime.fromisoformat(m["sent_at"])) for m in harness.sent(email)]


def test_a_step_due_at_3am_local_goes_out_when_the_window_opens(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    # 08:00 UTC on Monday 2 March is 03:00 in New York
    harness = _harness(
        tmp_path, nurture_workspace, nurture_templates, datetime(2026, 3, 2, 8, tzinfo=UTC)
    )
    harness.contact("ny@acme.com", timezone="America/New_York")
    harness.emit("ny@acme.com", "subscribed")
    assert harness.sent("ny@acme.com") == []
    with harness.runtime.sessions() as session:
        [enrollment] = session.scalars(select(models.Enrollment)).all()
        assert enrollment.next_run_at == datetime(2026, 3, 2, 13, tzinfo=UTC)  # 08:00 EST
    harness.advance(hours=6)
    assert _sent_at(harness, "ny@acme.com") == [("welcome", datetime(2026, 3, 2, 13, tzinfo=UTC))]

    # a contact without a zone uses the workspace's (Ljubljana: 09:00, open)
    harness.emit("lj@acme.com", "subscribed")
    assert harness.sent_steps("lj@acme.com") == ["welcome/welcome"]


def test_the_window_holds_across_the_march_change(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    # Saturday 28 March, 22:30 CET: quiet hours (21:00-07:00), then the window opens at 08:00
    # local on Sunday 29 March, after clocks went forward: 06:00 UTC, not 07:00
    harness = _harness(
        tmp_path, nurture_workspace, nurture_templates, datetime(2026, 3, 28, 21, 30, tzinfo=UTC)
    )
    harness.emit("ana@acme.com", "subscribed")
    harness.advance(hours=12)
    assert _sent_at(harness, "ana@acme.com") == [("welcome", datetime(2026, 3, 29, 6, tzinfo=UTC))]


def test_the_window_holds_across_the_october_change(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    harness = _harness(
        tmp_path, nurture_workspace, nurture_templates, datetime(2026, 10, 24, 21, 30, tzinfo=UTC)
    )
    harness.emit("ana@acme.com", "subscribed")
    harness.advance(hours=12)
    # 08:00 CET on Sunday 25 October, after clocks went back: 07:00 UTC
    assert _sent_at(harness, "ana@acme.com") == [("welcome", datetime(2026, 10, 25, 7, tzinfo=UTC))]


def test_the_frequency_cap_makes_the_fourth_email_wait(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    harness = _harness(
        tmp_path,
        nurture_workspace,
        nurture_templates,
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        BURST.format(when_capped=""),
    )
    harness.emit("ana@acme.com", "subscribed")
    harness.advance(days=10)
    sent = _sent_at(harness, "ana@acme.com")
    assert [step for step, _ in sent] == ["one", "two", "three", "four", "five"]
    # at most 3 in any 7 days: "four" waits until "one" is a week old, "five" until "two" is
    for (_, earlier), (_, later) in zip(sent, sent[3:], strict=False):
        assert later - earlier >= timedelta(days=7)
    assert sent[3][1] == datetime(2026, 3, 9, 9, tzinfo=UTC)


def test_a_journey_may_skip_capped_steps(tmp_path, nurture_workspace, nurture_templates) -> None:
    harness = _harness(
        tmp_path,
        nurture_workspace,
        nurture_templates,
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        BURST.format(when_capped="when_capped: skip"),
    )
    harness.emit("ana@acme.com", "subscribed")
    harness.advance(days=10)
    assert harness.sent_steps("ana@acme.com") == ["burst/one", "burst/two", "burst/three"]
    with harness.runtime.sessions() as session:
        [enrollment] = session.scalars(select(models.Enrollment)).all()
    assert enrollment.status == "completed"


@pytest.mark.parametrize("bounces", [2, 3])
def test_repeated_soft_bounces_suppress(
    tmp_path, nurture_workspace, nurture_templates, bounces
) -> None:
    harness = _harness(
        tmp_path, nurture_workspace, nurture_templates, datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    harness.emit("ana@acme.com", "subscribed")
    for _ in range(bounces):
        harness.advance(hours=1)
        harness.emit("ana@acme.com", "email_bounced", bounce_type="soft")
    harness.advance(days=3)
    with harness.runtime.sessions() as session:
        reasons = session.scalars(select(models.Suppression.reason)).all()
    if bounces < 3:
        assert harness.sent_steps("ana@acme.com") == ["welcome/welcome", "welcome/getting-started"]
        assert reasons == []
    else:
        assert harness.sent_steps("ana@acme.com") == ["welcome/welcome"]
        assert reasons == ["soft_bounce"]


def test_two_enrollments_of_one_contact_due_together_count_each_others_emails(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    """A tick runs its claims in batches; the cap still sees one email after the other."""
    harness = _harness(
        tmp_path,
        nurture_workspace,
        nurture_templates,
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        BURST.format(when_capped=""),
    )
    harness.contact("ana@acme.com")
    with harness.runtime.sessions.begin() as session:
        ana = find_contact(session, "ana@acme.com")
        assert ana is not None
        for _ in range(2):
            enroll(session, ana, harness.runtime.workspace.journey("burst"), harness.now())
    harness.advance(days=10)
    sent = [at for _, at in _sent_at(harness, "ana@acme.com")]
    assert len(sent) >= 3
    # both walks are due at the same moments, yet no 7 days hold more than 3 emails
    for earlier, later in zip(sent, sent[3:], strict=False):
        assert later - earlier >= timedelta(days=7)
