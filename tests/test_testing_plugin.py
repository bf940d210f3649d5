"""The shipped pytest plugin, used the way a workspace's own test suite uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

WORKSPACE_TEST = """
from datetime import timedelta

import pytest
from freezegun import freeze_time

from nurture.clock import SystemClock
from nurture.testing import make_harness


def test_welcome_then_getting_started(nurture):
    nurture.contact("ana@acme.com", first_name="Ana", job_title="CMO", company_size=250)
    nurture.emit("ana@acme.com", "subscribed")
    assert nurture.sent_steps("ana@acme.com") == ["welcome/welcome"]
    nurture.advance(days=2)
    assert nurture.sent_steps("ana@acme.com")[-1] == "welcome/getting-started"
    kinds = [e.kind for e in nurture.timeline("ana@acme.com")]
    assert kinds.count("sent") == 2 and "enrolled" in kinds


def test_under_freezegun(tmp_path, nurture_workspace, nurture_templates):
    with freeze_time("2026-03-02 08:00:00") as frozen:
        harness = make_harness(tmp_path, SystemClock(), nurture_workspace, nurture_templates)
        harness.emit("bo@acme.com", "subscribed")
        frozen.tick(timedelta(days=2))
        harness.run_due()
        assert harness.sent_steps("bo@acme.com") == ["welcome/welcome", "welcome/getting-started"]


def test_a_wrong_expectation_fails(nurture):
    nurture.emit("cy@acme.com", "subscribed")
    assert nurture.stage("cy@acme.com") == "mql"
"""


def test_a_workspace_suite_runs_on_the_plugin_fixtures(pytester) -> None:
    shutil.copytree(
        ROOT / "example", pytester.path, ignore=shutil.ignore_patterns("tests"), dirs_exist_ok=True
    )
    pytester.makepyfile(test_workspace=WORKSPACE_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*assert 'lead' == 'mql'*"])
