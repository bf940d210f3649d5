"""`nurture failures list|retry` and the failure in `nurture contacts show`, as an operator
runs them against a database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.test_cli import migrated


def test_an_operator_sees_a_failed_step_and_puts_it_back(tmp_path: Path) -> None:
    cli = migrated(tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text('{"id": "e1", "email": "ana@acme.com", "type": "subscribed"}\n')
    assert cli("events", "import", events).returncode == 0
    with sqlite3.connect(cli.db) as db:  # the welcome step failed for good, as the engine marks it
        db.execute(
            "UPDATE enrollments SET status = 'exited', exit_reason = 'failed', attempts = 5, "
            "last_error = 'ProviderError: SendGrid answered 503', next_run_at = NULL, "
            "finished_at = step_entered_at WHERE journey_id = 'welcome'"
        )
        (enrollment_id,) = db.execute("SELECT id FROM enrollments").fetchone()

    listed = cli("failures", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [failure] = json.loads(listed.stdout)
    assert (failure["id"], failure["status"], failure["contact"], failure["attempts"]) == (
        f"enrollment:{enrollment_id}",
        "failed",
        "ana@acme.com",
        5,
    )
    shown = cli("contacts", "show", "ana@acme.com")
    assert "failed welcome/" in shown.stdout and "after 5 attempts" in shown.stdout
    [journey] = cli.show("ana@acme.com")["enrollments"]
    assert (journey["exit_reason"], journey["last_error"]) == (
        "failed",
        "ProviderError: SendGrid answered 503",
    )

    refused = cli("failures", "retry")  # nothing named, no --all
    assert refused.returncode != 0 and "--all" in refused.stderr
    retried = cli("failures", "retry", f"enrollment:{enrollment_id}")
    assert retried.stdout.strip() == "1 failures put back to run now"
    assert json.loads(cli("failures", "list", "--json").stdout) == []
    [journey] = cli.show("ana@acme.com")["enrollments"]
    assert (journey["status"], journey["attempts"]) == ("active", 0)
