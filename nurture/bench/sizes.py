"""How big each benchmark runs: the full sizes of the issue, a quick run, a tiny smoke run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    name: str
    ingest_events: int
    sends: int
    scan_small: int
    scan_large: int
    scan_due: int
    simulate_contacts: int
    simulate_days: int
    import_events: int
    worker_sends: int


FULL = Sizes("full", 50_000, 5_000, 10_000, 1_000_000, 1_000, 10_000, 90, 1_000_000, 5_000)
QUICK = Sizes("quick", 5_000, 800, 2_000, 200_000, 1_000, 1_000, 90, 20_000, 2_500)
TINY = Sizes("tiny", 300, 20, 100, 1_000, 10, 10, 30, 300, 20)

SIMULATE_TARGET_CONTACTS = 10_000
