"""Handoff routing and SLA escalation on a workspace of our own: routes, leave, manager."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from nurture.clock import ManualClock
from nurture.store import models
from nurture.testing import Harness, make_harness

HANDOFF = """\
handoff:
  team:
    - maja@acme.example
    - {email: luka@acme.example, available: false}
    - eva@acme.example
    - ina@acme.example
  routes:
    - {field: country, in: [AT, DE], reps: [luka@acme.example, eva@acme.example]}
  sla: 4h
  escalation: {action: ESCALATION, manager: boss@acme.example}
  notify: {email_owner: true}
"""


def harness(tmp_path: Path, workspace: Path, templates: Path, escalation: str) -> Harness:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for path in workspace.glob("*.yaml"):
        text = path.read_text()
        if path.name == "workspace.yaml":
            text = text[: text.index("handoff:")] + HANDOFF.replace("ESCALATION", escalation)
        (folder / path.name).write_text(text)
    return make_harness(
        tmp_path, ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC)), folder, templates
    )


def mql(nurture: Harness, email: str, **profile: object) -> None:
    nurture.contact(email, job_title="CMO", company_size=250, **profile)
    nurture.emit(email, "demo_requested")
    assert nurture.stage(email) == "mql"


def trail(nurture: Harness) -> list[tuple[str, str]]:
    with nurture.runtime.sessions() as session:
        rows = session.scalars(select(models.HandoffEvent).order_by(models.HandoffEvent.id))
        return [(row.kind, row.detail) for row in rows]


def mailed(nurture: Harness) -> list[tuple[str, str]]:
    with nurture.runtime.sessions() as session:
        rows = session.scalars(
            select(models.Notification).where(models.Notification.channel == "email")
        )
        return [(row.target, row.status) for row in rows]


def test_routes_and_leave_choose_the_owner(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path
) -> None:
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, "reassign")
    mql(nurture, "a@x.at", country="AT")  # route AT: luka is on leave, so eva
    # The rest go round the whole team, after its last owner (eva), skipping luka.
    for email in ("b@x.si", "c@x.si", "d@x.si"):
        mql(nurture, email, country="SI")
    owners = [nurture.summary(e)["owner"] for e in ("a@x.at", "b@x.si", "c@x.si", "d@x.si")]
    assert owners == [
        "eva@acme.example",
        "ina@acme.example",
        "maja@acme.example",
        "eva@acme.example",
    ]
    assert trail(nurture)[0] == (
        "assigned",
        "assigned to eva@acme.example (route by territory/segment)",
    )


def test_reassignment_goes_round_the_pool_once_then_tells_the_manager(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path
) -> None:
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, "reassign")
    mql(nurture, "a@x.at", country="AT")
    nurture.advance(days=3)  # calendar hours: 4h each; eva, and nobody else available
    assert [kind for kind, _ in trail(nurture)] == ["assigned", "escalated"]
    assert trail(nurture)[1][1].endswith("manager boss@acme.example notified")
    assert mailed(nurture) == [
        ("eva@acme.example", "delivered"),
        ("boss@acme.example", "delivered"),
    ]


def test_notify_manager_leaves_the_owner_and_tells_the_manager_once(
    tmp_path: Path, nurture_workspace: Path, nurture_templates: Path
) -> None:
    nurture = harness(tmp_path, nurture_workspace, nurture_templates, "notify_manager")
    mql(nurture, "b@x.si", country="SI")
    nurture.advance(hours=4)
    nurture.advance(days=5)
    assert nurture.summary("b@x.si")["owner"] == "maja@acme.example"
    (escalated,) = [detail for kind, detail in trail(nurture) if kind == "escalated"]
    assert escalated == (
        "SLA due 2026-03-02T12:00:00+00:00 breached by maja@acme.example: "
        "manager boss@acme.example notified"
    )
    assert mailed(nurture) == [
        ("maja@acme.example", "delivered"),
        ("boss@acme.example", "delivered"),
    ]
    mail = [p.read_text() for p in nurture.outbox.glob("handoff-notification-*.eml")]
    assert any("SLA breached: b@x.si not accepted by maja@acme.example" in m for m in mail)
