"""``nurture run | scheduler | worker``: the long-running processes of a deployment.

``run`` is one process for small installs: the scheduler, in-process workers and the HTTP
app. ``scheduler`` and ``worker`` are the same pieces split for many machines over one
database and one broker (docs/deployment.md). SIGTERM (or Ctrl-C) stops them gracefully: the
work in hand finishes, claims not yet run are released.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, err, runtime, settings_for
from nurture.errors import ConfigError
from nurture.settings import Settings, require_shared_clock

if TYPE_CHECKING:
    from nurture.engine.runtime import Runtime

log = logging.getLogger("nurture")

Interval = Annotated[float, typer.Option(min=0.01, help="Seconds between two ticks.")]
Batch = Annotated[int, typer.Option(min=1, help="Enrollments claimed per statement.")]
Threads = Annotated[int, typer.Option(min=1, help="Worker threads per process.")]
InFlight = Annotated[
    int, typer.Option(min=1, help="Claim no more while this many claims are not done.")
]


@app.command("scheduler")
def scheduler_command(
    interval: Interval = 1.0,
    batch: Batch = 200,
    max_in_flight: InFlight = 1000,
    workspace: WorkspaceOption = None,
) -> None:
    """Claim due enrollments on every tick and enqueue them for the workers."""
    from nurture.workers import context
    from nurture.workers.scheduler import Scheduler, sweeps_to_broker, to_broker

    settings = _settings(workspace, need_broker=True)
    rt = runtime(settings)
    context.use(settings, rt)
    stop = _stop_on_signals()
    scheduler = Scheduler(
        rt,
        to_broker(),
        context.lease(settings),
        batch,
        interval,
        max_in_flight=max_in_flight,
        sweep=sweeps_to_broker,
    )
    log.info("scheduler started (broker %s)", _redacted(settings))
    scheduler.run(stop)
    log.info("scheduler stopped after claiming %d enrollments", scheduler.claimed)


@app.command("worker")
def worker_command(
    processes: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    threads: Threads = 8,
    workspace: WorkspaceOption = None,
) -> None:
    """Dramatiq's worker over nurture's actors (steps, events, sweeps)."""
    _settings(workspace, need_broker=True)
    if workspace is not None:
        # Dramatiq's processes read their settings from the environment.
        os.environ["NURTURE_WORKSPACE"] = str(workspace.resolve())
    args = [sys.executable, "-m", "dramatiq", "nurture.workers.actors"]
    args += ["--processes", str(processes), "--threads", str(threads)]
    os.execv(sys.executable, args)


@app.command("run")
def run_command(
    interval: Interval = 1.0,
    batch: Batch = 200,
    threads: Threads = 4,
    host: Annotated[str, typer.Option(help="HTTP interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
    http: Annotated[bool, typer.Option(help="Serve the HTTP app too.")] = True,
    workspace: WorkspaceOption = None,
) -> None:
    """Scheduler, workers and HTTP app in one process (workers in-process without a broker)."""
    from nurture.workers import context
    from nurture.workers.scheduler import Scheduler, in_process, sweeps_to_broker, to_broker

    settings = _settings(workspace, need_broker=False)
    rt = runtime(settings)
    context.use(settings, rt)
    stop = _stop_on_signals()
    lease = context.lease(settings)
    worker = None
    if settings.broker_url is None:
        scheduler = Scheduler(rt, in_process(rt, lease, stop), lease, batch, interval)
    else:
        import dramatiq

        from nurture.workers.actors import broker

        worker = dramatiq.Worker(broker, worker_threads=threads)
        worker.start()
        scheduler = Scheduler(rt, to_broker(), lease, batch, interval, sweep=sweeps_to_broker)
    server = start_http(rt, settings, stop, host, port) if http else None
    log.info(
        "nurture running: scheduler, %s workers%s",
        "broker" if worker else "in-process",
        f", HTTP on {host}:{port}" if server else "",
    )
    try:
        scheduler.run(stop)
    finally:
        if worker is not None:
            worker.stop()
        if server is not None:
            stop.set()
            server.join(timeout=10)
    log.info("nurture stopped after claiming %d enrollments", scheduler.claimed)


def start_http(
    rt: Runtime, settings: Settings, stop: threading.Event, host: str, port: int
) -> threading.Thread:
    """The HTTP app in a thread of this process, stopping with the rest."""
    from nurture.api.server import serve_until

    thread = threading.Thread(
        target=serve_until, args=(rt, settings, stop, host, port), name="http"
    )
    thread.start()
    return thread


def _settings(workspace: Path | None, *, need_broker: bool) -> Settings:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"
    )
    settings = settings_for(workspace)
    if need_broker and settings.broker_url is None:
        raise ConfigError(
            "NURTURE_BROKER_URL is not set: the scheduler and workers talk through Redis "
            "(redis://host:6379/0) or RabbitMQ (amqp://user:pass@host:5672/); "
            "for one process without a broker use `nurture run`"
        )
    if settings.broker_url is not None:
        require_shared_clock(settings)
    elif settings.clock_start is not None and settings.clock_epoch is None:
        settings = settings_for(workspace, clock_epoch=time.time())
    return settings


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        err.print(f"{signal.Signals(signum).name}: finishing the work in hand, then stopping")
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
    return stop


def _redacted(settings: Settings) -> str:
    url = settings.broker_url
    return f"{url.scheme}://{url.host}:{url.port}" if url else "none"
