"""``worker_scaling`` on the real services: `nurture worker` processes fed by `nurture scheduler`.

The figure's speed is never asserted; what is: each side sent every message exactly once,
and nothing is left behind (processes, scratch database, Redis keys), even on failure.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text

from nurture.bench import workers
from nurture.bench.sizes import TINY

pytestmark = pytest.mark.postgres


def _leftovers(server_url: str, redis_url: str, name: str) -> tuple[bool, list[bytes]]:
    """(does the scratch database still exist, the Redis keys under its namespace)."""
    engine = create_engine(server_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
    finally:
        engine.dispose()
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}*"))
    client.close()
    return found is not None, keys


def test_one_then_two_workers_send_every_message_exactly_once(
    tmp_path: Path, postgres_server_url: str, redis_url: str
) -> None:
    one, two = workers.measure(postgres_server_url, redis_url, tmp_path, TINY.worker_sends)

    for drain, processes in ((one, 1), (two, 2)):
        assert drain.processes == processes
        assert drain.sends == TINY.worker_sends
        assert drain.expected > drain.sends  # the warm-up went through too
        assert drain.sent == drain.keys == drain.files == drain.expected
        assert drain.seconds > 0
        assert drain.worker_cpu >= 0 and 0 <= drain.machine_busy <= 1
        assert _leftovers(postgres_server_url, redis_url, drain.database) == (False, [])
    assert one.database != two.database

    figures = workers.figures(one, two)
    assert figures["worker_scaling"] > 0
    assert figures["worker_scaling"] == pytest.approx(two.per_s / one.per_s)
    assert figures["worker_scaling_sends"] == TINY.worker_sends
    assert figures["worker_scaling_cores"] >= 1
    bound = figures["worker_scaling_bound"]
    assert bound is None or bound == pytest.approx(
        figures["worker_scaling_cores"] * 1000 / figures["worker_scaling_cpu_ms"] / one.per_s
    )


def test_a_failed_run_stops_its_processes_and_removes_its_data(
    tmp_path: Path, postgres_server_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawned: list[tuple[subprocess.Popen[bytes], dict[str, str]]] = []
    spawn = workers._spawn

    def recording(env: dict[str, str], *args: Any) -> Any:
        child = spawn(env, *args)
        spawned.append((child[0], env))
        return child

    def broken(*_args: Any) -> None:
        raise RuntimeError("the release failed")

    monkeypatch.setattr(workers, "_spawn", recording)
    monkeypatch.setattr(workers, "_release", broken)
    with pytest.raises(RuntimeError, match="the release failed"):
        workers.drain(postgres_server_url, redis_url, tmp_path, 2, TINY.worker_sends)

    assert len(spawned) == 2  # the worker (Dramatiq's master and 2 processes), the scheduler
    for child, _env in spawned:
        assert child.returncode is not None
        with pytest.raises(ProcessLookupError):
            os.killpg(child.pid, 0)  # nothing of its process group is left
    name = spawned[0][1]["NURTURE_QUEUE_PREFIX"]
    assert _leftovers(postgres_server_url, redis_url, name) == (False, [])


def test_the_figure_says_what_it_needs_when_it_cannot_run() -> None:
    postgres, redis_url = "postgresql+psycopg://postgres@127.0.0.1/x", "redis://127.0.0.1/0"

    assert workers.missing(postgres, redis_url) is None
    assert "--redis-url" in str(workers.missing(postgres, None))
    assert "PostgreSQL --database-url" in str(workers.missing(None, redis_url))
    both = str(workers.missing(None, None))
    assert "--redis-url" in both and "PostgreSQL" in both
    assert workers.run(None, redis_url, Path("/nonexistent"), 10) == {"worker_scaling": None}
