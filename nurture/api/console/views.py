"""What each console page shows, read from the store, the reports and the workspace files.

Read-only: nothing here writes. Each function returns plain data for one template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nurture.charts.counts import Counts
from nurture.charts.live import live_counts, stored_chart, stored_versions, template_subjects
from nurture.charts.model import Chart
from nurture.definitions.loader import load_workspace
from nurture.engine.explain import explain
from nurture.engine.history import contact_history
from nurture.engine.runtime import Runtime
from nurture.errors import DefinitionError
from nurture.reports.scope import Scope
from nurture.reports.steps import StoredVersion
from nurture.settings import Settings
from nurture.store import models
from nurture.store.statements import contacts, enrollments, handoffs

_PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", re.S)


def stamp(moment: datetime | str | None) -> str:
    """A moment as ``2026-03-02 09:00 UTC`` (what every console table shows)."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def journey_list(rt: Runtime) -> list[dict[str, Any]]:
    """Published journeys (with enrolled and active counts), then workspace ones not yet out."""
    with rt.sessions() as session:
        counts = {
            journey: (int(enrolled), int(active or 0))
            for journey, enrolled, active in session.execute(enrollments.COUNTS_BY_JOURNEY)
        }
    current = [v for v in stored_versions(rt.engine) if v.current]
    rows = [
        {
            "id": v.journey,
            "name": v.name,
            "version": v.version,
            "published": stamp(v.created_at),
            "enrolled": counts.get(v.journey, (0, 0))[0],
            "active": counts.get(v.journey, (0, 0))[1],
        }
        for v in current
    ]
    published = {v.journey for v in current}
    rows += [
        {"id": j.id, "name": j.name, "version": None, "published": "", "enrolled": 0, "active": 0}
        for j in rt.workspace.journeys
        if j.id not in published
    ]
    return rows


@dataclass(frozen=True)
class JourneyPage:
    chart: Chart
    counts: Counts
    versions: list[StoredVersion]
    shown: StoredVersion


def journey_page(
    rt: Runtime, settings: Settings, journey_id: str, version: int | None, scope: Scope
) -> JourneyPage | None:
    versions = stored_versions(rt.engine, journey_id)
    chosen = [v for v in versions if (v.version == version if version else v.current)]
    if not chosen:
        return None
    chart = stored_chart(chosen[0], template_subjects(settings.templates))
    return JourneyPage(chart, live_counts(rt.engine, chart, scope), versions, chosen[0])


def find_contacts(rt: Runtime, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Contacts whose email contains ``query``; without one, the most recently active."""
    statement = contacts.RECENT
    params: dict[str, Any] = {"limit": limit}
    if query:
        statement = contacts.MATCHING
        params["fragment"] = contacts.like_fragment(query.strip().lower())
    with rt.sessions() as session:
        return [
            dict(r._mapping) | {"updated": stamp(r.updated_at)}
            for r in session.execute(statement, params)
        ]


def contact_page(rt: Runtime, email: str) -> dict[str, Any]:
    """The contact's state, its score explained, its handoffs and one merged timeline."""
    data = explain(rt, email)
    with rt.sessions() as session:
        contact = session.scalars(contacts.OF_EMAIL, {"email": data["email"]}).one()
        history = contact_history(session, contact)
        of_contact = {"contact_id": contact.id}
        entered = session.scalars(enrollments.OF_CONTACT, of_contact).all()
        splits = session.scalars(enrollments.SPLITS_OF_CONTACT, of_contact).all()
        branches = session.scalars(enrollments.BRANCHES_OF_CONTACT, of_contact).all()
        timeline = _timeline(history, data, entered, [*splits, *branches])
        opened = session.scalars(handoffs.OF_CONTACT, of_contact).all()
        now = rt.clock.now()
        sla = [
            {
                "owner": h.owner,
                "status": h.status,
                "opened": stamp(h.created_at),
                "due": stamp(h.sla_due_at),
                "answered": stamp(h.responded_at),
                "state": _sla_state(h, now),
                "reason": h.reason or "",
            }
            for h in opened
        ]
        profile = history["contact"]
    return {"explain": data, "timeline": timeline, "sla": sla, "profile": profile}


def _sla_state(handoff: models.Handoff, now: datetime) -> str:
    if handoff.responded_at is not None:
        return "answered in time" if handoff.responded_at <= handoff.sla_due_at else "answered late"
    if handoff.status != "pending":
        return handoff.status
    return "overdue" if now > handoff.sla_due_at else "waiting, within SLA"


def _timeline(
    history: dict[str, Any], data: dict[str, Any], enrollments: Any, decisions: Any
) -> list[dict[str, str]]:
    rows: list[tuple[str, int, dict[str, str]]] = []

    def add(at: Any, order: int, kind: str, what: str, detail: str = "") -> None:
        if at:
            text = at if isinstance(at, str) else at.isoformat()
            rows.append(
                (text, order, {"at": stamp(at), "kind": kind, "what": what, "detail": detail})
            )

    for event in history["events"]:
        props = ", ".join(f"{k} {v}" for k, v in event["properties"].items() if k != "message_id")
        add(event["at"], 0, "event", event["type"], props)
    for row in data["ledger"]:
        add(
            row["at"],
            1,
            "score",
            f"{row['points']:+d} {row['rule']}",
            f"{row['kind']}: {row['reason']}",
        )
    for stage in data["stages"]:
        add(stage["at"], 2, "stage", f"{stage['from'] or 'new'} -> {stage['to']}", stage["cause"])
    for handoff in data["handoffs"]:
        for event in handoff["events"]:
            add(event["at"], 3, "handoff", f"{event['kind']} ({handoff['owner']})", event["detail"])
    for e in enrollments:
        add(e.enrolled_at, 4, "journey", f"entered {e.journey_id}")
        if e.finished_at is not None:
            where = f" at {e.current_step}" if e.current_step else ""
            add(
                e.finished_at,
                6,
                "journey",
                f"left {e.journey_id}{where}",
                e.exit_reason or e.status,
            )
    for d in decisions:
        if isinstance(d, models.SplitAssignment):
            where = f"{d.journey_id}/{d.step_id}"
            add(d.assigned_at, 5, "split", where, f"A/B variant {d.variant}")
        else:
            target = f" -> {d.target}" if d.target else " -> end"
            add(d.at, 5, "branch", f"{d.journey_id}/{d.step_id}", f"{d.condition}{target}")
    for email in history["emails"]:
        add(
            email["sent_at"],
            5,
            "email",
            f"{email['journey'] or ''}/{email['step'] or ''}".strip("/"),
            f"{email['subject'] or ''} ({email['status']})",
        )
    rows.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in rows]


def validation(settings: Settings) -> tuple[list[dict[str, str]], bool]:
    """Each problem of the workspace files as path (within the folder), line, column, message."""
    try:
        load_workspace(settings.workspace)
    except DefinitionError as exc:
        problems = []
        folder = f"{settings.workspace.resolve()}/"
        for text in exc.problems:
            found = _PROBLEM.match(text)
            if found:
                problem = found.groupdict()
                path = str(Path(problem["path"]).resolve())
                problem["path"] = path.removeprefix(folder)
                problems.append(problem)
            else:
                path, _, message = text.partition(": ")
                problems.append({"path": path, "line": "", "col": "", "message": message or text})
        return problems, False
    return [], True
