"""``tick_scan_ratio``: the claim of the due enrollments with many rows against few.

The same database holds ``small`` enrollments first, then ``large`` (100 times as many);
``due`` of them are due in both. The rest wait for later or have finished, as in a real
deployment, where most enrollments are not due. The claim should read the next_run_at index
only, so its time should not grow with the table.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from nurture.bench.data import START
from nurture.bench.fixtures import add_contacts, add_enrollments, current_version
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database, settle
from nurture.bench.timing import timed
from nurture.clock import ManualClock
from nurture.engine.runtime import Runtime
from nurture.engine.tick import claim_due
from nurture.store.statements.contacts import CLEAR_LEASES

REPEATS = 7
CONTACTS = 1_000


def run(server_url: str | None, folder: Path, small: int, large: int, due: int) -> dict[str, Any]:
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), NullProvider())
        try:
            contacts = add_contacts(rt, CONTACTS, START)
            version = current_version(rt, "nurture")
            rng = random.Random(7)
            _fill(rt, contacts, version, rng, due, small - due)
            settle(rt)
            small_seconds = _claim_all(rt, due)
            _fill(rt, contacts, version, rng, 0, large - small)
            settle(rt)
            large_seconds = _claim_all(rt, due)
        finally:
            rt.engine.dispose()
    return {
        "tick_scan_ratio": large_seconds / small_seconds,
        "tick_scan_small_seconds": small_seconds,
        "tick_scan_large_seconds": large_seconds,
        "tick_scan_rows": [small, large],
        "tick_scan_due": due,
    }


def _fill(
    rt: Runtime, contacts: list[int], version: int, rng: random.Random, due: int, idle: int
) -> None:
    """``due`` enrollments due now, ``idle`` waiting for later (2 in 3) or finished."""
    rows = []
    for n in range(due + idle):
        if n < due:
            next_run = START - timedelta(minutes=rng.randrange(1, 600))
            status = "active"
        elif rng.random() < 2 / 3:
            next_run = START + timedelta(minutes=rng.randrange(1, 90 * 1440))
            status = "active"
        else:
            next_run, status = None, "completed"
        rows.append(
            dict(
                contact_id=contacts[n % len(contacts)],
                journey_id="nurture",
                version_id=version,
                status=status,
                current_step="pause",
                step_entered_at=START - timedelta(days=1),
                next_run_at=next_run,
                enrolled_at=START - timedelta(days=1),
            )
        )
    add_enrollments(rt, rows)


def _claim_all(rt: Runtime, due: int) -> float:
    """The best of a few rounds of claiming every due enrollment in batches of 100."""
    best = float("inf")
    for round_ in range(REPEATS):
        with timed() as watch:
            claimed = 0
            while batch := claim_due(rt, START, f"bench-{round_}"):
                claimed += len(batch)
        if claimed != due:
            raise RuntimeError(f"tick scan bench: claimed {claimed} of {due} due enrollments")
        best = min(best, watch.seconds)
        with rt.engine.begin() as connection:
            connection.execute(CLEAR_LEASES)
    return best
