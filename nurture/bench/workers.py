"""``worker_scaling``: the throughput of 2 ``nurture worker`` processes against 1, on Redis.

Each side gets a fresh scratch PostgreSQL database holding N enrollments whose send step is
held back (due in a year), its own Redis namespace (the database's name as queue prefix, so
no one else's queue is ever drained) and real processes: ``nurture scheduler`` claims what
is due and enqueues it through its own dispatch (``to_broker``), and ``nurture worker
--processes P`` sends it to an outbox folder. Once every process is up, a warm-up batch is
released and sent (each process opens its runtime and connections on its first message);
then the N enrollments are made due at once, and the clock runs from that moment until all
N messages are ``sent``. Start-up stays outside the timed window; the scheduler's claims and
enqueues are inside it, as in a deployment. Each side runs twice and keeps its fastest.

The CPU of the window is measured too: the worker processes' own, and the whole machine's.
Two processes can go at most as fast as the machine's cores allow at what a send costs in
all (workers, PostgreSQL, Redis, the scheduler, and anything else running: measure on a
quiet machine): ``worker_scaling_bound`` is that ceiling over the one-process side, so a
ratio near it is the machine's limit, not the workers'.

The bench never imports nurture.workers.actors itself: that module binds its broker and
queue names at import, for the life of the process (and the unit tests stub it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.engine import make_url

from nurture.bench.fixtures import add_contacts, add_first_sends
from nurture.bench.scratch import NullProvider, backend, bench_runtime, scratch_database
from nurture.bench.timing import rate, timed
from nurture.clock import SystemClock
from nurture.store import models

#: Threads per worker process, the same on both sides. Enough that one process keeps its
#: interpreter busy while some threads wait on PostgreSQL, so a second process can only add
#: throughput by running on another core, which is what the figure is about.
THREADS = 4
#: Seconds without a single new send (or without a process getting ready) before giving up.
STALL_SECONDS = 120.0
#: The number of worker processes of each drain, in the order run.
ORDER = (1, 2, 2, 1)
_NURTURE = "from nurture.cli import main; main()"


@dataclass(frozen=True)
class Drain:
    """One side of the figure: ``sends`` messages sent by ``processes`` workers."""

    processes: int
    threads: int
    database: str  # the scratch database, also the run's Redis namespace (both removed)
    sends: int
    seconds: float
    sent: int  # messages in status sent, the warm-up included
    keys: int  # distinct idempotency keys among them
    files: int  # .eml files the outbox received
    expected: int  # warm-up + sends
    worker_cpu: float  # CPU seconds of the worker processes in the timed window
    machine_busy: float  # share of the machine's cores busy in the timed window

    @property
    def per_s(self) -> float:
        return rate(self.sends, self.seconds)


def missing(server_url: str | None, redis_url: str | None) -> str | None:
    """Why the figure cannot be measured with these options, or None when it can."""
    needs = []
    if redis_url is None:
        needs.append("--redis-url redis://HOST:6379/0")
    if backend(server_url) != "postgresql":
        needs.append(
            "a PostgreSQL --database-url (SQLite cannot serve several worker processes "
            "writing at once)"
        )
    return "not measured: needs " + " and ".join(needs) if needs else None


def run(server_url: str | None, redis_url: str | None, folder: Path, sends: int) -> dict[str, Any]:
    if missing(server_url, redis_url) is not None:
        return {"worker_scaling": None}
    assert server_url is not None and redis_url is not None
    return figures(*measure(server_url, redis_url, folder, sends))


def measure(
    server_url: str, redis_url: str, folder: Path, sends: int, threads: int = THREADS
) -> tuple[Drain, Drain]:
    """The fastest of two drains by 1 and by 2 worker processes, each on fresh data.

    The sides run in the order 1, 2, 2, 1 so that a load that rises or falls during the
    bench weighs on both; the best of each side is kept, since other work on the machine can
    only slow a drain down (tick_scan keeps its best of 7 for the same reason).
    """
    drains = [drain(server_url, redis_url, folder, n, sends, threads) for n in ORDER]
    one, two = (min((d for d in drains if d.processes == n), key=_seconds) for n in (1, 2))
    return one, two


def figures(one: Drain, two: Drain) -> dict[str, Any]:
    cores = psutil.cpu_count() or 1
    cpu_per_send = cores * two.machine_busy * two.seconds / two.sends  # all of it, in seconds
    return {
        "worker_scaling": two.per_s / one.per_s,
        "worker_scaling_one_per_s": one.per_s,
        "worker_scaling_two_per_s": two.per_s,
        "worker_scaling_sends": one.sends,
        "worker_scaling_threads": one.threads,
        "worker_scaling_cores": cores,
        "worker_scaling_busy": two.machine_busy,
        "worker_scaling_worker_cpu_ms": 1000 * two.worker_cpu / two.sends,
        "worker_scaling_cpu_ms": 1000 * cpu_per_send,
        # None when the window was too short for the machine's CPU clock to tick
        "worker_scaling_bound": cores / cpu_per_send / one.per_s if cpu_per_send else None,
    }


def drain(
    server_url: str,
    redis_url: str,
    folder: Path,
    processes: int,
    sends: int,
    threads: int = THREADS,
) -> Drain:
    """Time ``processes`` workers sending ``sends`` due steps; check each went out once."""
    warm_up = 4 * threads * processes  # two prefetches' worth per process
    work = Path(tempfile.mkdtemp(prefix=f"workers-{processes}-", dir=folder))
    with scratch_database(server_url, work, alembic=True) as url:
        ids = _seed(url, work, warm_up + sends)
        prefix = str(make_url(url).database)
        env = _environment(url, redis_url, prefix, work)
        engine = create_engine(url)
        # The whole backlog in flight at once: the workers, not the scheduler's throttle,
        # set the pace.
        commands = {
            "worker": ("--processes", str(processes), "--threads", str(threads)),
            "scheduler": ("--interval", "0.1", "--max-in-flight", str(len(ids))),
        }
        children: list[tuple[subprocess.Popen[bytes], Path]] = []
        try:
            for name, options in commands.items():
                children.append(_spawn(env, work / f"{name}.log", name, *options))
            _wait_ready(children, processes)
            _release(engine, ids[:warm_up])
            _wait_sent(engine, warm_up, children)
            worker_cpu = _cpu_seconds(children[0][0])
            psutil.cpu_percent()  # from here
            with timed() as watch:
                _release(engine, ids[warm_up:])
                _wait_sent(engine, len(ids), children)
            busy = psutil.cpu_percent() / 100
            worker_cpu = max(0.0, _cpu_seconds(children[0][0]) - worker_cpu)
            sent, keys = _counts(engine)
        finally:
            _stop([child for child, _log in children])
            engine.dispose()
            _flush(redis_url, prefix)
    files = len(list((work / "outbox").glob("*.eml")))
    result = Drain(
        processes,
        threads,
        prefix,
        sends,
        watch.seconds,
        sent,
        keys,
        files,
        len(ids),
        worker_cpu,
        busy,
    )
    if not result.sent == result.keys == result.files == result.expected:
        raise RuntimeError(f"worker bench: not every message went out exactly once: {result}")
    return result


def _seconds(drain: Drain) -> float:
    return drain.seconds


def _cpu_seconds(worker: subprocess.Popen[bytes]) -> float:
    """User and system CPU seconds so far of ``nurture worker``'s processes (its children
    do the work). One that is gone counts nothing: the drain then fails its own checks."""
    leader = psutil.Process(worker.pid)
    total = 0.0
    for process in (leader, *leader.children(recursive=True)):
        with suppress(psutil.NoSuchProcess):
            total += sum(process.cpu_times()[:2])
    return total


def _seed(url: str, folder: Path, count: int) -> list[int]:
    """``count`` contacts in the bench journey, their first send held back: enrollment ids."""
    now = SystemClock().now()
    rt = bench_runtime(url, folder, SystemClock(), NullProvider())
    try:
        contacts = add_contacts(rt, count, now)
        later = now + timedelta(days=365)
        add_first_sends(rt, contacts, now, later)
        with rt.sessions() as session:
            found = session.scalars(select(models.Enrollment.id).order_by(models.Enrollment.id))
            return list(found)
    finally:
        rt.engine.dispose()


def _environment(url: str, redis_url: str, prefix: str, folder: Path) -> dict[str, str]:
    """The children's settings: none of this shell's NURTURE_* leaks in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NURTURE_")}
    env.update(
        NURTURE_DATABASE_URL=url,
        NURTURE_BROKER_URL=redis_url,
        NURTURE_QUEUE_PREFIX=prefix,
        NURTURE_WORKSPACE=str(folder / "workspace"),
        NURTURE_OUTBOX_DIR=str(folder / "outbox"),
    )
    return env


def _spawn(env: dict[str, str], log: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """A nurture command in a session of its own, so that stopping it reaches its children."""
    with log.open("ab") as output:
        child = subprocess.Popen(
            [sys.executable, "-c", _NURTURE, *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return child, log


def _wait_ready(children: list[tuple[subprocess.Popen[bytes], Path]], processes: int) -> None:
    (_, worker_log), (_, scheduler_log) = children
    deadline = time.monotonic() + STALL_SECONDS
    while time.monotonic() < deadline:
        _check_alive(children)
        ready = worker_log.read_text(errors="replace").count("ready for action")
        if ready >= processes and "scheduler started" in scheduler_log.read_text():
            return
        time.sleep(0.1)
    raise RuntimeError("worker bench: the processes did not start\n" + _tails(children))


def _release(engine: Engine, ids: list[int]) -> None:
    """Make these enrollments due now: the scheduler's next tick claims and enqueues them."""
    E = models.Enrollment
    with engine.begin() as connection:
        connection.execute(update(E).where(E.id.in_(ids)).values(next_run_at=datetime.now(UTC)))


def _sent(engine: Engine) -> int:
    M = models.Message
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).where(M.status == "sent")) or 0)


def _wait_sent(
    engine: Engine, count: int, children: list[tuple[subprocess.Popen[bytes], Path]]
) -> None:
    last, moved = -1, time.monotonic()
    while (sent := _sent(engine)) < count:
        if sent != last:
            last, moved = sent, time.monotonic()
        elif time.monotonic() - moved > STALL_SECONDS:
            raise RuntimeError(
                f"worker bench: stuck at {sent} of {count} sent\n" + _tails(children)
            )
        _check_alive(children)
        time.sleep(0.05)


def _counts(engine: Engine) -> tuple[int, int]:
    M = models.Message
    with engine.connect() as connection:
        row = connection.execute(
            select(func.count(), func.count(M.idempotency_key.distinct())).where(M.status == "sent")
        ).one()
    return int(row[0]), int(row[1])


def _check_alive(children: list[tuple[subprocess.Popen[bytes], Path]]) -> None:
    if any(child.poll() is not None for child, _log in children):
        raise RuntimeError("worker bench: a process exited\n" + _tails(children))


def _tails(children: list[tuple[subprocess.Popen[bytes], Path]]) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for _child, log in children
    )


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process group (Dramatiq's master passes it on); after 15 s, or once
    the leader is gone, SIGKILL to whatever of the group is left."""
    for child in children:
        _signal(child, signal.SIGTERM)
    for child in children:
        with suppress(subprocess.TimeoutExpired):
            child.wait(timeout=15)
        _signal(child, signal.SIGKILL)
        child.wait()


def _signal(child: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _flush(redis_url: str, prefix: str) -> None:
    """Leave nothing of this run on the shared Redis: every key under its namespace."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
