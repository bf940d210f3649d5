"""The long-running commands as an operator starts and stops them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NURTURE = Path(sys.executable).with_name("nurture")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NURTURE_")}
    env.update(
        NURTURE_DATABASE_URL=f"sqlite:///{tmp_path / 'nurture.db'}",
        NURTURE_OUTBOX_DIR=str(tmp_path / "outbox"),
        NURTURE_WORKSPACE=str(ROOT / "example"),
        **extra,
    )
    return env


def _nurture(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NURTURE), *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_split_processes_need_a_broker_and_a_shared_clock_epoch(tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = _nurture(env, "scheduler")
    assert result.returncode == 2
    assert "NURTURE_BROKER_URL is not set" in result.stderr
    assert "nurture run" in result.stderr

    env.update(NURTURE_BROKER_URL="redis://127.0.0.1:1/0", NURTURE_CLOCK_START="2026-03-02")
    result = _nurture(env, "worker")
    assert result.returncode == 2
    assert "NURTURE_CLOCK_EPOCH" in result.stderr


def test_run_sends_on_an_accelerated_clock_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """`nurture run` without a broker: scheduler and workers in one process."""
    env = _env(tmp_path, NURTURE_CLOCK_START="2026-03-02T08:00:00Z", NURTURE_CLOCK_SPEED="86400")
    assert _nurture(env, "db", "upgrade").returncode == 0
    events = tmp_path / "events.jsonl"
    events.write_text(
        "".join(
            f'{{"id": "s{n}", "email": "c{n}@example.com", "type": "subscribed"}}\n'
            for n in range(3)
        )
    )
    imported = _nurture(env, "events", "import", str(events))
    assert imported.returncode == 0, imported.stderr
    run = subprocess.Popen(
        [str(NURTURE), "run", "--interval", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = sqlite3.connect(tmp_path / "nurture.db")
    try:
        deadline = time.monotonic() + 60
        sent = 0
        while time.monotonic() < deadline and sent < 6:  # welcome, then getting-started
            time.sleep(0.2)
            sent = database.execute("SELECT count(*) FROM messages WHERE status='sent'").fetchone()[
                0
            ]
        assert sent >= 6, "the welcome and the getting-started emails, two days later"
        run.send_signal(signal.SIGTERM)
        _out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert "SIGTERM: finishing the work in hand" in err
    leased = database.execute(
        "SELECT count(*) FROM enrollments WHERE lease_owner IS NOT NULL"
    ).fetchone()[0]
    assert leased == 0
    per_step = database.execute(
        "SELECT count(*) FROM messages GROUP BY contact_id, step_id HAVING count(*) > 1"
    ).fetchall()
    assert per_step == []
