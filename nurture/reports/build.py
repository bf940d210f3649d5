"""Run every report area's statements for one scope, in one read transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from nurture.reports import journeys, scores, sla, sources, splits, stage_times, steps
from nurture.reports.funnel import FunnelRow, PeriodRow, funnel, reached_over_time
from nurture.reports.journeys import JourneyRow, StepRow
from nurture.reports.scope import Scope
from nurture.reports.scores import BandGrade, Bucket
from nurture.reports.sla import Reason, SlaRow
from nurture.reports.splits import SplitResult
from nurture.reports.stage_times import StageTime
from nurture.reports.steps import MoveRow, VisitRow


@dataclass(frozen=True)
class Report:
    scope: Scope
    funnel: list[FunnelRow]
    over_time: list[PeriodRow]
    stage_times: list[StageTime]
    journeys: list[JourneyRow]
    steps: list[StepRow]
    splits: list[SplitResult]
    sources: list[FunnelRow]
    campaigns: list[FunnelRow]
    sla: list[SlaRow]
    reasons: list[Reason]
    band_grades: list[BandGrade]
    histogram: list[Bucket]
    visits: list[VisitRow]
    moves: list[MoveRow]


def build_report(engine: Engine, scope: Scope) -> Report:
    with engine.connect() as connection:
        visits, moves = steps.visits_and_moves(connection, scope)
        return Report(
            scope=scope,
            funnel=funnel(connection, scope),
            over_time=reached_over_time(connection, scope, scope.cohort or "week"),
            stage_times=stage_times.stage_times(connection, scope),
            journeys=journeys.journeys(connection, scope),
            steps=journeys.steps(connection, scope),
            splits=splits.splits(connection, scope),
            sources=sources.by_source(connection, scope),
            campaigns=sources.by_campaign(connection, scope),
            sla=sla.sla(connection, scope),
            reasons=sla.reasons(connection, scope),
            band_grades=scores.band_grades(connection, scope),
            histogram=scores.histogram(connection, scope),
            visits=visits,
            moves=moves,
        )
