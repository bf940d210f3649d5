"""Invariants 1 and 2 across a real deployment: no duplicate sends, no lost steps.

Two schedulers and four Dramatiq worker processes over one PostgreSQL and one broker take
1,000 contacts (NURTURE_RELIABILITY_CONTACTS sets another number) through a three-email
journey on a clock that plays a day in three seconds, while the tests kill workers and cut
the database connections under them. Each prints its counts.
"""

from __future__ import annotations

import random
import time

import pytest

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]


def _start(deployment, schedulers: int = 2, workers: int = 4) -> None:
    started = time.monotonic()
    deployment.enroll()
    print(f"\n{deployment.contacts} contacts enrolled in {time.monotonic() - started:.1f}s")
    for _ in range(workers):
        deployment.start_worker()
    for _ in range(schedulers):  # they start while the workers do; the broker holds the work
        deployment.start_scheduler()
    deployment.wait_workers_ready()
    print(
        f"{len(deployment.workers)} workers ready {time.monotonic() - started:.1f}s after the start"
    )


def _check(deployment, label: str, capsys) -> None:
    counts = deployment.counts()
    with capsys.disabled():  # the counts show in every run, not only with -s
        print(
            f"\n{counts.line(label)} "
            f"({deployment.contacts} contacts, {deployment.elapsed:.0f}s of sending)"
        )
    assert counts.expected == deployment.expected
    detail = "" if counts.lost == counts.duplicates == 0 else deployment.log_tails()
    assert counts.duplicates == 0, detail
    assert counts.lost == 0, detail
    assert counts.sent == counts.expected == counts.files


@pytest.mark.parametrize(
    "deployment",
    [pytest.param("redis_url", id="redis"), pytest.param("rabbitmq_url", id="rabbitmq")],
    indirect=True,
)
def test_every_contact_gets_every_step_exactly_once(deployment, request, capsys) -> None:
    _start(deployment)
    deployment.wait_done(timeout=600)
    deployment.stop()
    _check(deployment, f"exactly once [{request.node.callspec.id}]", capsys)


@pytest.mark.parametrize("deployment", ["redis_url"], indirect=True)
def test_workers_killed_at_random_moments_lose_and_repeat_nothing(deployment, capsys) -> None:
    _start(deployment)
    chance = random.Random(7)
    for _ in range(10):
        time.sleep(chance.uniform(0.3, 1.0))
        slot = chance.randrange(len(deployment.workers))
        deployment.kill_worker(slot)
        deployment.start_worker(slot)
    deployment.wait_done(timeout=600)
    deployment.stop()
    _check(deployment, "10 SIGKILLs", capsys)


@pytest.mark.parametrize("deployment", ["rabbitmq_url"], indirect=True)
def test_the_system_recovers_when_the_database_connections_are_cut(deployment, capsys) -> None:
    _start(deployment)
    cut = []
    for share in (0.1, 0.4, 0.7):  # mid-batch: while the workers are busy sending
        deployment.wait_sent(int(deployment.expected * share), timeout=600)
        cut.append(deployment.cut_database())
    with capsys.disabled():
        print(f"\nterminated {cut} PostgreSQL connections")
    assert all(n > 0 for n in cut)
    deployment.wait_done(timeout=600)
    deployment.stop()
    _check(deployment, "connections cut", capsys)
