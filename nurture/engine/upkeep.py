"""The claimed contacts' decay and SLA checks, on intake's set-based shape.

*state*: the ids of the contacts whose score decays now and their handoffs whose SLA is to be
checked (two named reads, all most runs need: nothing is due), then one working set of the
contacts concerned (engine/intake/state.py), with the enrollments and score books of those
that decay. *core*: each contact's decay (engine/decay.py), then each handoff's check
(engine/escalation.py), on the records, with the domain's score book and assignment rules.
*changes*: intake's row buffers, written per table at the end. It runs in the run's
transaction, fenced on the contact claim (engine/dispatch.py).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection

from nurture.engine.decay import catch_up
from nurture.engine.escalation import check
from nurture.engine.intake.changes import Changes
from nurture.engine.intake.records import handoff_from
from nurture.engine.intake.state import WorkingSet
from nurture.engine.runtime import Runtime
from nurture.store.statements import contacts, handoffs


def upkeep(rt: Runtime, connection: Connection, held: Collection[int], now: datetime) -> None:
    """Decay, then SLA checks, of the claimed contacts ``held``, due at ``now``."""
    due = {"contact_ids": sorted(held), "now": now}
    decaying = list(connection.scalars(contacts.DECAY_DUE, due))
    checks = [handoff_from(row) for row in connection.execute(handoffs.CHECKS_DUE, due)]
    if not decaying and not checks:
        return
    ws = WorkingSet.of_ids(rt, connection, {*decaying, *(h.contact_id for h in checks)})
    by_id = {contact.id: contact for contact in ws.contacts.values()}
    if decaying:  # an SLA check reads only the contact
        scored = [by_id[contact_id] for contact_id in decaying]
        ws.read_enrollments(scored)
        ws.read_books(scored)
    changes = Changes(connection)
    for contact_id in decaying:
        catch_up(rt, ws, changes, by_id[contact_id], now)
    for handoff in checks:
        check(rt, ws, changes, handoff, by_id[handoff.contact_id], now)
    changes.flush()
