"""How long contacts stay in each stage, and how long they take to become MQLs (medians).

A stay ends at the contact's next stage change; stays still open are left out (their
length is not known yet) and the count says how many stays each median is over.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from nurture.domain.lifecycle import ALL_STAGES
from nurture.reports.scope import Scope
from nurture.store.statements.reports.stage_times import stay_medians, time_to_mql_medians


@dataclass(frozen=True)
class StageTime:
    cohort: str
    stage: str
    median_seconds: float
    stays: int


def stage_times(connection: Connection, scope: Scope) -> list[StageTime]:
    order = {stage: i for i, stage in enumerate(ALL_STAGES)}
    rows = connection.execute(stay_medians(scope)).all()
    found = [StageTime(r.cohort, r.stage, float(r.median), int(r.n)) for r in rows]
    to_mql = connection.execute(time_to_mql_medians(scope)).all()
    found += [StageTime(r.cohort, "time to mql", float(r.median), int(r.n)) for r in to_mql]
    return sorted(found, key=lambda t: (t.cohort, order.get(t.stage, len(order))))
