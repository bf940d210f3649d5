"""A contact as it stood at a time: the rows up to it, and what they add up to.

``contacts show`` and ``contacts explain`` read the contact at the clock's time (``--now``, or
the configured clock), so replaying a history shows each moment as it was, not the end state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nurture.domain.scoring import ScoringModel
from nurture.errors import NotFound
from nurture.store import models


@dataclass(frozen=True)
class Standing:
    score: int
    fit_points: int
    band: str
    grade: str
    stage: str
    ledger: Sequence[models.ScoreEntry]
    stages: Sequence[models.StageChange]


def standing(
    contact: models.Contact,
    ledger: Sequence[models.ScoreEntry],
    stages: Sequence[models.StageChange],
    model: ScoringModel,
    at: datetime,
) -> Standing:
    """``ledger`` and ``stages`` oldest first; NotFound if the contact was not seen by ``at``."""
    if contact.created_at > at:
        raise NotFound(
            f"{contact.email} was first seen at {contact.created_at.isoformat(timespec='seconds')}, "
            f"after {at.isoformat()}: give a later --now"
        )
    rows = [r for r in ledger if r.at <= at]
    changes = [s for s in stages if s.at <= at]
    score = sum(r.points for r in rows)
    fit = sum(r.points for r in rows if r.kind == "fit")
    return Standing(
        score=score,
        fit_points=fit,
        band=model.band(score),
        grade=model.grade(fit),
        stage=changes[-1].to_stage if changes else contact.stage,
        ledger=rows,
        stages=changes,
    )
