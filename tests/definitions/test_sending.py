"""workspace.yaml ``sending:``: loaded into SendingRules, or refused with path:line:col."""

from __future__ import annotations

import shutil
from datetime import time, timedelta
from pathlib import Path

import pytest

from nurture.definitions.loader import load_workspace
from nurture.errors import DefinitionError


def _workspace(tmp_path: Path, source: Path, sending: str) -> Path:
    folder = tmp_path / "journeys"
    shutil.copytree(source, folder)
    text = (folder / "workspace.yaml").read_text()
    (folder / "workspace.yaml").write_text(text[: text.index("sending:")] + sending)
    return folder


def test_the_example_workspace_caps_three_emails_in_seven_days(
    nurture_workspace, nurture_templates
) -> None:
    rules = load_workspace(nurture_workspace, nurture_templates).sending
    assert rules.cap is not None
    assert (rules.cap.limit, rules.cap.period) == (3, timedelta(days=7))
    assert rules.when_capped == "wait"
    assert rules.window is not None and rules.window.start == time(8)
    assert rules.quiet_hours is not None and rules.quiet_hours.start == time(21)


def test_bad_sending_settings_are_refused_with_their_place(
    tmp_path, nurture_workspace, nurture_templates
) -> None:
    folder = _workspace(
        tmp_path,
        nurture_workspace,
        "sending:\n"
        "  window: {days: [mon, funday], start: '18:00', end: '09:00'}\n"
        "  quiet_hours: {start: '25:00', end: '07:00'}\n"
        "  frequency_cap: {max: 3, per: 7d, when_capped: later}\n",
    )
    with pytest.raises(DefinitionError) as raised:
        load_workspace(folder, nurture_templates)
    problems = "\n".join(raised.value.problems)
    where = folder / "workspace.yaml"
    window_line = (
        where.read_text()
        .splitlines()
        .index("  window: {days: [mon, funday], start: '18:00', end: '09:00'}")
        + 1
    )
    assert f"{where}:{window_line}:" in problems
    assert "sending.window.days[1]: Input should be" in problems
    assert "'25:00' is not a time of day" in problems
    assert "when_capped" in problems


def test_no_sending_section_means_no_limits(tmp_path, nurture_workspace, nurture_templates) -> None:
    folder = _workspace(tmp_path, nurture_workspace, "")
    rules = load_workspace(folder, nurture_templates).sending
    assert (rules.window, rules.quiet_hours, rules.cap) == (None, None, None)
