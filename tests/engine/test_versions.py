"""Editing a live journey: new versions, enrollments kept or migrated, unsafe edits refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nurture.clock import ManualClock
from nurture.engine.boot import open_runtime
from nurture.errors import DefinitionError
from nurture.settings import load_settings
from nurture.store import models
from nurture.testing import DEFAULT_START, Harness, make_harness

ROOT = Path(__file__).parents[2]
ANA = "ana@acme.com"
V1 = """\
id: j
name: J
entry: {stages: [lead]}
steps:
  - {id: hello, type: send, template: welcome}
  - {id: pause, type: wait, duration: 2d}
  - {id: guide, type: send, template: getting-started}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("workspace.yaml", "scoring.yaml"):
        shutil.copy(ROOT / "example" / name, folder / name)
    (folder / "j.yaml").write_text(V1)
    return folder


@pytest.fixture
def ana_waiting(tmp_path: Path, folder: Path) -> Harness:
    """Ana entered version 1 and waits on 'pause'."""
    h = make_harness(tmp_path, ManualClock(DEFAULT_START), folder, ROOT / "example" / "templates")
    h.contact(ANA)
    h.emit(ANA, "subscribed")
    assert h.sent_steps(ANA) == ["j/hello"]
    return h


def reload(h: Harness, tmp_path: Path, folder: Path, text: str) -> Harness:
    """Open a new runtime on the same database after editing the journey file."""
    (folder / "j.yaml").write_text(text)
    h.runtime.engine.dispose()
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'nurture.db'}", outbox_dir=tmp_path / "outbox"
    )
    runtime = open_runtime(
        settings, clock=h.runtime.clock, workspace=folder, templates=ROOT / "example" / "templates"
    )
    return Harness(runtime, tmp_path / "outbox")


def versions(h: Harness) -> list[int]:
    with h.runtime.sessions() as session:
        return list(session.scalars(select(models.JourneyVersion.version)).all())


def test_running_enrollments_stay_on_the_version_they_entered(
    ana_waiting: Harness, tmp_path: Path, folder: Path
) -> None:
    edited = V1.replace("template: getting-started", "template: case-study")
    h = reload(ana_waiting, tmp_path, folder, edited)
    assert versions(h) == [1, 2]
    h.advance(days=2)
    assert [m["template"] for m in h.sent(ANA)] == ["welcome", "getting-started"]
    h.contact("bo@acme.com")
    h.emit("bo@acme.com", "subscribed")
    h.advance(days=2)
    assert [m["template"] for m in h.sent("bo@acme.com")] == ["welcome", "case-study"]
    h.runtime.engine.dispose()


def test_an_unchanged_file_makes_no_new_version(
    ana_waiting: Harness, tmp_path: Path, folder: Path
) -> None:
    h = reload(ana_waiting, tmp_path, folder, V1)
    assert versions(h) == [1]
    h.runtime.engine.dispose()


def test_migrate_moves_enrollments_step_to_step(
    ana_waiting: Harness, tmp_path: Path, folder: Path
) -> None:
    edited = V1.replace(
        "  - {id: pause, type: wait, duration: 2d}\n", "  - {id: rest, type: wait, duration: 1d}\n"
    )
    edited = edited.replace("steps:", "migrate: {pause: rest}\nsteps:")
    h = reload(ana_waiting, tmp_path, folder, edited)
    with h.runtime.sessions() as session:
        enrollment = session.scalars(select(models.Enrollment)).one()
        assert (enrollment.version.version, enrollment.current_step) == (2, "rest")
    h.advance(days=1)
    assert h.sent_steps(ANA) == ["j/hello", "j/guide"]
    h.runtime.engine.dispose()


def test_removing_a_step_that_holds_contacts_is_refused_and_nothing_applies(
    ana_waiting: Harness, tmp_path: Path, folder: Path
) -> None:
    edited = V1.replace("  - {id: pause, type: wait, duration: 2d}\n", "")
    with pytest.raises(DefinitionError) as refused:
        reload(ana_waiting, tmp_path, folder, edited)
    assert refused.value.problems == [
        "journey j: step 'pause' was removed but 1 contact is on it: "
        "add `migrate: {pause: STEP}` to move them, or keep the step"
    ]
    h = reload(ana_waiting, tmp_path, folder, V1)  # nothing of the refused load was kept
    assert versions(h) == [1]
    with h.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(models.Journey)) == 1
    h.runtime.engine.dispose()
