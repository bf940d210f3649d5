"""Hand a new MQL to sales: an owner by round-robin and a due time for the SLA."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nurture.engine.runtime import Runtime
from nurture.store import models


def hand_off(
    rt: Runtime, session: Session, contact: models.Contact, now: datetime
) -> models.Handoff:
    rules = rt.workspace.handoff
    handed = session.scalar(select(func.count()).select_from(models.Handoff)) or 0
    owner = rules.team[handed % len(rules.team)]
    handoff = models.Handoff(
        contact_id=contact.id,
        owner=owner,
        status="pending",
        sla_due_at=now + rules.sla,
        details={"score": contact.score, "grade": contact.grade},
        created_at=now,
    )
    session.add(handoff)
    contact.owner = owner
    return handoff
