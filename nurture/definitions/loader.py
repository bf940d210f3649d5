"""Load a workspace folder into a :class:`~nurture.domain.workspace.Workspace`, all or nothing.

``workspace.yaml`` holds the sender, lifecycle and handoff settings, ``scoring.yaml`` the
scoring model; every other ``*.yaml`` beside them is a journey, and ``templates/`` holds the
emails (subfolders such as ``scenarios/`` and ``tests/`` are not read here). Every problem found in any file is
reported as ``path:line:col: message``; a single one refuses the whole load.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from datetime import time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from nurture.definitions.journey_lint import Names, lint_journey
from nurture.definitions.journey_schema import STEP_TYPES, JourneySpec
from nurture.definitions.journeys import journey_from_spec
from nurture.definitions.schema import BehaviourSpec, ScoringSpec, WorkspaceSpec
from nurture.definitions.sending import sending_rules
from nurture.definitions.spec_keys import file_path, keys_at
from nurture.definitions.yamlsource import Document, read_document
from nurture.domain.assignment import Rep, Route
from nurture.domain.business_hours import WEEKDAYS, BusinessHours
from nurture.domain.comparison import mismatch
from nurture.domain.decay import Decay, Inactivity
from nurture.domain.durations import parse_duration
from nurture.domain.lifecycle import LifecycleRules
from nurture.domain.scoring import BehaviourRule, Cap, FitRule, ScoringModel, Threshold
from nurture.domain.workspace import Escalation, HandoffRules, Sender, Workspace
from nurture.errors import DefinitionError, plain_message

WORKSPACE_FILE = "workspace.yaml"
SCORING_FILE = "scoring.yaml"
SpecT = TypeVar("SpecT", bound=BaseModel)
__all__ = ["journey_from_spec", "load_workspace"]


def load_workspace(folder: Path, templates: Path | None = None) -> Workspace:
    """Read and check every file of ``folder``; raise DefinitionError listing all problems.

    ``templates`` defaults to the workspace's own ``templates/`` folder.
    """
    problems: list[str] = []
    if not folder.is_dir():
        raise DefinitionError(
            [f"{folder}: no such workspace folder (give --workspace DIR or set NURTURE_WORKSPACE)"]
        )
    if not (folder / WORKSPACE_FILE).exists() and not (folder / SCORING_FILE).exists():
        raise DefinitionError(
            [
                f"{folder}: not a workspace (no {WORKSPACE_FILE} or {SCORING_FILE}): give "
                "--workspace DIR, set NURTURE_WORKSPACE, or start one with `nurture init DIR`"
            ]
        )
    templates = folder / "templates" if templates is None else templates
    settings = _parse(folder / WORKSPACE_FILE, WorkspaceSpec, problems)
    scoring = _parse(folder / SCORING_FILE, ScoringSpec, problems)
    journeys: list[tuple[Document, JourneySpec]] = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        if path.name in (WORKSPACE_FILE, SCORING_FILE):
            continue
        parsed = _parse_document(path, JourneySpec, problems)
        if parsed is not None:
            journeys.append(parsed)
    if settings is None or scoring is None:
        raise DefinitionError(problems)
    (settings_doc, settings_spec), (scoring_doc, scoring_spec) = settings, scoring
    model = _scoring_model(scoring_spec)
    problems += _check_scoring(scoring_doc, scoring_spec, settings_spec)
    problems += _check_settings(settings_doc, settings_spec, model)
    names = Names(
        events=settings_spec.known_events,
        bands=tuple((t.name, t.minimum) for t in model.bands),
        grades=tuple(model.grade_names),
        templates=templates,
    )
    seen_templates: set[Path] = set()
    for doc, spec in journeys:
        problems += lint_journey(doc, spec, names, seen_templates)
    problems += _check_unique_ids(journeys)
    if problems:
        raise DefinitionError(problems)
    return Workspace(
        sender=Sender(**settings_spec.sender.model_dump()),
        timezone=settings_spec.timezone,
        scoring=model,
        lifecycle=LifecycleRules(
            lead_events=frozenset(settings_spec.lifecycle.lead_events),
            mql_score=settings_spec.lifecycle.mql.score,
            mql_grades=frozenset(settings_spec.lifecycle.mql.grades),
        ),
        handoff=_handoff_rules(settings_spec),
        journeys=tuple(journey_from_spec(spec) for _, spec in journeys),
        definitions={
            spec.id: spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            for _, spec in journeys
        },
        sending=sending_rules(settings_spec.sending),
    )


def _parse(path: Path, spec: type[SpecT], problems: list[str]) -> tuple[Document, SpecT] | None:
    if not path.is_file():
        problems.append(f"{path}:1:1: missing: every workspace needs {path.name}")
        return None
    return _parse_document(path, spec, problems)


def _parse_document(
    path: Path, spec: type[SpecT], problems: list[str]
) -> tuple[Document, SpecT] | None:
    try:
        doc = read_document(path)
    except DefinitionError as exc:
        problems += exc.problems
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.error([], "expected a mapping of keys (key: value) at the top"))
        return None
    try:
        return doc, spec.model_validate(doc.data)
    except ValidationError as exc:
        problems += [_explain(doc, error, spec) for error in exc.errors()]
        return None


def _explain(doc: Document, error: Any, spec: type[BaseModel]) -> str:
    raw = list(error["loc"])
    loc = file_path(spec, raw)
    field = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        close = difflib.get_close_matches(name, sorted(keys_at(spec, raw[:-1])), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it or check its spelling"
        return doc.error(loc, f"unknown key '{name}': {hint}", at_key=True)
    if kind == "missing":
        message = f"'{field}' is required: add it"
    elif kind == "union_tag_invalid":
        message = f"{field or 'step'}: unknown step type: use one of {', '.join(STEP_TYPES)}"
    else:
        message = f"{field}: {plain_message(error)}" if field else plain_message(error)
    return doc.error(loc, message)


def _dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _handoff_rules(spec: WorkspaceSpec) -> HandoffRules:
    handoff = spec.handoff
    hours = handoff.business_hours
    return HandoffRules(
        team=tuple(Rep(r.email, r.available) for r in handoff.reps),
        sla=parse_duration(handoff.sla),
        routes=tuple(
            Route(r.field, frozenset(v.lower() for v in r.in_), tuple(r.reps))
            for r in handoff.routes
        ),
        business_hours=None
        if hours is None
        else BusinessHours(
            timezone=hours.timezone or spec.timezone,
            days=frozenset(WEEKDAYS.index(d) for d in hours.days),
            opens=time.fromisoformat(hours.opens),
            closes=time.fromisoformat(hours.closes),
            holidays=frozenset(hours.holidays),
        ),
        escalation=Escalation(handoff.escalation.action, handoff.escalation.manager),
        webhook_url=handoff.notify.webhook,
        email_owner=handoff.notify.email_owner,
    )


def _behaviour_rule(spec: BehaviourSpec) -> BehaviourRule:
    cap = None if spec.cap is None else Cap(spec.cap.count, parse_duration(spec.cap.per))
    decay = None
    if spec.decay is not None:
        d = spec.decay
        decay = Decay(
            half_life=parse_duration(d.half_life) if d.half_life else None,
            amount=d.amount,
            every=parse_duration(d.every) if d.every else None,
        )
    return BehaviourRule(spec.id, spec.event, spec.points, dict(spec.where), cap, decay)


def _scoring_model(spec: ScoringSpec) -> ScoringModel:
    inactivity = spec.inactivity
    return ScoringModel(
        behaviour=tuple(_behaviour_rule(r) for r in spec.behaviour),
        fit=tuple(FitRule(r.id, r.field, *r.test, r.points) for r in spec.fit),
        bands=tuple(Threshold(name, minimum) for name, minimum in spec.bands.items()),
        grades=tuple(Threshold(name, minimum) for name, minimum in spec.grades.items()),
        inactivity=None
        if inactivity is None
        else Inactivity(parse_duration(inactivity.after), inactivity.points),
        matrix={grade: dict(cells) for grade, cells in spec.matrix.items()},
    )


def _check_scoring(doc: Document, spec: ScoringSpec, settings: WorkspaceSpec) -> list[str]:
    problems = [
        doc.error(["behaviour", i, "event"], _unknown_event(rule.event, settings))
        for i, rule in enumerate(spec.behaviour)
        if rule.event not in settings.known_events
    ]
    for i, fit in enumerate(spec.fit):
        problem = mismatch(fit.field, fit.test[0])
        if problem:
            problems.append(doc.error(["fit", i], problem))
    seen: set[str] = set()
    ids: list[tuple[str, int, str]] = [("behaviour", i, r.id) for i, r in enumerate(spec.behaviour)]
    ids += [("fit", i, r.id) for i, r in enumerate(spec.fit)]
    for kind, i, rule_id in ids:
        if rule_id in seen:
            problems.append(
                doc.error(
                    [kind, i, "id"], f"duplicate rule id '{rule_id}': give each rule its own id"
                )
            )
        seen.add(rule_id)
    for grade, cells in spec.matrix.items():
        if grade not in spec.grades:
            problems.append(
                doc.error(
                    ["matrix", grade],
                    f"unknown grade '{grade}': use one of {', '.join(spec.grades)}",
                    at_key=True,
                )
            )
        for band in cells:
            if band not in spec.bands:
                problems.append(
                    doc.error(
                        ["matrix", grade, band],
                        f"unknown band '{band}': use one of {', '.join(spec.bands)}",
                        at_key=True,
                    )
                )
    return problems


def _check_settings(doc: Document, spec: WorkspaceSpec, model: ScoringModel) -> list[str]:
    problems = [
        doc.error(["lifecycle", "lead_events", i], _unknown_event(name, spec))
        for i, name in enumerate(spec.lifecycle.lead_events)
        if name not in spec.known_events
    ]
    problems += [
        doc.error(
            ["lifecycle", "mql", "grades", i],
            f"unknown grade '{g}': scoring.yaml defines {', '.join(model.grade_names)}",
        )
        for i, g in enumerate(spec.lifecycle.mql.grades)
        if g not in model.grade_names
    ]
    team = {rep.email for rep in spec.handoff.reps}
    for i, route in enumerate(spec.handoff.routes):
        for j, rep in enumerate(route.reps):
            if rep not in team:
                problems.append(
                    doc.error(
                        ["handoff", "routes", i, "reps", j],
                        f"'{rep}' is not in handoff.team: add it to the team or fix the address",
                    )
                )
    hours = spec.handoff.business_hours
    if hours is not None:
        if hours.opens >= hours.closes:
            problems.append(
                doc.error(["handoff", "business_hours", "closes"], "closes must be after opens")
            )
        if hours.timezone is not None and not _known_zone(hours.timezone):
            problems.append(
                doc.error(
                    ["handoff", "business_hours", "timezone"],
                    f"unknown time zone '{hours.timezone}': use an IANA name such as Europe/Ljubljana",
                )
            )
    escalation = spec.handoff.escalation
    if escalation.action == "notify_manager" and escalation.manager is None:
        problems.append(
            doc.error(
                ["handoff", "escalation"],
                "action notify_manager needs a manager: add manager: EMAIL",
            )
        )
    return problems


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_unique_ids(journeys: list[tuple[Document, JourneySpec]]) -> list[str]:
    first: dict[str, Path] = {}
    problems = []
    for doc, spec in journeys:
        if spec.id in first:
            problems.append(
                doc.error(
                    ["id"],
                    f"journey id '{spec.id}' is already used by "
                    f"{first[spec.id]}: give each journey its own id",
                )
            )
        first.setdefault(spec.id, doc.path)
    return problems


def _unknown_event(name: str, settings: WorkspaceSpec) -> str:
    hint = _did_you_mean(name, settings.known_events)
    return (
        f"unknown event type '{name}': {hint} (custom types go under event_types in workspace.yaml)"
    )


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(choices)}"
