"""Cross-checks of a journey file that its schema alone cannot make, as path:line:col lines.

Names (events, bands, grades, steps, templates) must exist; every step must be reachable;
no loop may run without a wait; an entry must be one some contact could match; condition
tests must suit the field's type.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nurture.definitions.journey_schema import (
    BranchSpec,
    ConditionSpec,
    GotoSpec,
    JourneySpec,
    SendSpec,
    SplitSpec,
    WaitForSpec,
    WaitSpec,
)
from nurture.definitions.template_lint import lint_source, lint_template
from nurture.definitions.yamlsource import Document
from nurture.domain.comparison import mismatch

Loc = list[str | int]


@dataclass(frozen=True)
class Names:
    """What the rest of the workspace defines, for the checks."""

    events: frozenset[str]
    bands: Sequence[tuple[str, int]]
    grades: Sequence[str]
    templates: Path


def lint_journey(doc: Document, spec: JourneySpec, names: Names, seen: set[Path]) -> list[str]:
    lint = _Lint(doc, spec, names)
    lint.entry()
    lint.goals()
    lint.steps(seen)
    lint.graph()
    lint.migrate()
    return lint.problems


class _Lint:
    def __init__(self, doc: Document, spec: JourneySpec, names: Names) -> None:
        self.doc, self.spec, self.names = doc, spec, names
        self.problems: list[str] = []
        self.ids = [s.id for s in spec.steps]
        self.sends = {s.id for s in spec.steps if isinstance(s, SendSpec)}

    def error(self, loc: Loc, message: str) -> None:
        self.problems.append(self.doc.error(loc, message))

    # --- names -------------------------------------------------------------------------

    def event(self, loc: Loc, name: str) -> None:
        if name not in self.names.events:
            self.error(
                loc,
                f"unknown event type '{name}': {_hint(name, self.names.events)} "
                "(custom types go under event_types in workspace.yaml)",
            )

    def band(self, loc: Loc, name: str) -> None:
        bands = [b for b, _ in self.names.bands]
        if name not in bands:
            self.error(loc, f"unknown band '{name}': use one of {', '.join(bands)}")

    def grade(self, loc: Loc, name: str) -> None:
        if name not in self.names.grades:
            self.error(loc, f"unknown grade '{name}': use one of {', '.join(self.names.grades)}")

    def step_ref(self, loc: Loc, target: str | None, *, send_only: bool = False) -> None:
        if target is None:
            return
        if target not in self.ids:
            self.error(loc, f"no step '{target}' in this journey: {_hint(target, self.ids)}")
        elif send_only and target not in self.sends:
            self.error(loc, f"step '{target}' sends no email: name a send step")

    def condition(self, loc: Loc, cond: ConditionSpec, *, in_journey: bool = True) -> None:
        for key, parts in (("all", cond.all), ("any", cond.any)):
            for i, part in enumerate(parts or ()):
                self.condition([*loc, key, i], part, in_journey=in_journey)
        if cond.not_ is not None:
            self.condition([*loc, "not"], cond.not_, in_journey=in_journey)
        for i, band in enumerate(cond.band or ()):
            self.band([*loc, "band", i], band)
        for i, grade in enumerate(cond.grade or ()):
            self.grade([*loc, "grade", i], grade)
        if cond.event is not None:
            self.event([*loc, "event", "type"], cond.event.type)
        if cond.step is not None:
            if in_journey:
                self.step_ref([*loc, "step", "id"], cond.step.id, send_only=True)
            else:
                self.error(
                    [*loc, "step"],
                    "an entry cannot test a step's outcome: the contact is not in the "
                    "journey yet; test an event instead",
                )
        if cond.score is not None:
            self.typed([*loc, "score"], "score", cond.score.test[0])
        if cond.attribute is not None:
            self.typed([*loc, "attribute"], cond.attribute.name, cond.attribute.test[0])

    def typed(self, loc: Loc, field: str, op: str) -> None:
        problem = mismatch(field, op)
        if problem:
            self.error(loc, problem)

    # --- parts of the file -------------------------------------------------------------

    def entry(self) -> None:
        entry = self.spec.entry
        for i, band in enumerate(entry.bands):
            self.band(["entry", "bands", i], band)
        for i, grade in enumerate(entry.grades):
            self.grade(["entry", "grades", i], grade)
        if entry.event is not None:
            self.event(["entry", "event", "type"], entry.event.type)
        if entry.when is not None:
            self.condition(["entry", "when"], entry.when, in_journey=False)
        self.satisfiable()

    def satisfiable(self) -> None:
        """An entry whose parts contradict each other admits nobody: say which parts."""
        entry, when = self.spec.entry, self.spec.entry.when
        if when is None:
            return
        tops = [when, *(when.all or ())]
        for cond in tops:
            if cond.stage is not None and entry.stages and not set(cond.stage) & set(entry.stages):
                self.error(
                    ["entry", "when"],
                    f"no contact can enter: entry.stages {entry.stages} and when.stage "
                    f"{cond.stage} have no stage in common",
                )
                return
        low, high = float("-inf"), float("inf")
        for cond in tops:
            for op, value in cond.score.tests if cond.score else ():
                if op in ("gte", "gt"):
                    low = max(low, float(value) + (1 if op == "gt" else 0))
                elif op in ("lte", "lt"):
                    high = min(high, float(value) - (1 if op == "lt" else 0))
                elif op == "between":
                    low, high = max(low, float(value[0])), min(high, float(value[1]) - 1)
        bands = self.names.bands
        allowed = set(entry.bands) or {b for b, _ in bands}
        ranges = []
        ordered = sorted(bands, key=lambda b: b[1])
        for i, (name, minimum) in enumerate(ordered):
            top = ordered[i + 1][1] - 1 if i + 1 < len(ordered) else float("inf")
            if name in allowed:
                ranges.append((max(low, minimum if i else float("-inf")), min(high, top)))
        if low > high or not any(a <= b for a, b in ranges):
            self.error(
                ["entry", "when", "score"] if any(c.score for c in tops) else ["entry", "when"],
                "no contact can enter: this score test never holds in the bands "
                f"{', '.join(sorted(allowed))}; widen the bands or change the score",
            )

    def goals(self) -> None:
        for i, goal in enumerate(self.spec.goals):
            if goal.event is not None:
                self.event(["goals", i, "event"], goal.event)
            if goal.when is not None:
                self.condition(["goals", i, "when"], goal.when)

    def steps(self, seen: set[Path]) -> None:
        first: set[str] = set()
        for i, step in enumerate(self.spec.steps):
            loc: Loc = ["steps", i]
            if step.id in first:
                self.error([*loc, "id"], f"duplicate step id '{step.id}': step ids must be unique")
            first.add(step.id)
            if isinstance(step, SendSpec):
                self.template(loc, step, seen)
            elif isinstance(step, WaitForSpec):
                self.event([*loc, "event"], step.event)
                self.step_ref([*loc, "of_step"], step.of_step, send_only=True)
                self.step_ref([*loc, "then"], step.then)
                self.step_ref([*loc, "on_timeout"], step.on_timeout)
            elif isinstance(step, BranchSpec):
                for j, case in enumerate(step.branches):
                    self.condition([*loc, "branches", j], case)
                    self.step_ref([*loc, "branches", j, "goto"], case.goto)
                self.step_ref([*loc, "else"], step.else_)
            elif isinstance(step, SplitSpec):
                for j, variant in enumerate(step.variants):
                    self.step_ref([*loc, "variants", j, "goto"], variant.goto)
            elif isinstance(step, GotoSpec):
                self.step_ref([*loc, "step"], step.step)

    def template(self, loc: Loc, step: SendSpec, seen: set[Path]) -> None:
        folder = self.names.templates
        if not (folder / f"{step.template}.html").is_file():
            self.error(
                [*loc, "template"],
                f"template '{step.template}' not found: create "
                f"{folder / (step.template + '.html')}",
            )
            return
        self.problems.extend(lint_template(folder, step.template, seen))
        if step.subject is not None:
            line, col = self.doc.where([*loc, "subject"])
            for problem in lint_source(step.subject, str(self.doc.path), line):
                _, _, rest = problem.partition(f"{self.doc.path}:{line}:1: ")
                self.problems.append(f"{self.doc.path}:{line}:{col}: subject: {rest}")

    def successors(self, index: int) -> list[int]:
        step = self.spec.steps[index]
        following = [index + 1] if index + 1 < len(self.ids) else []

        def to(target: str | None) -> list[int]:
            if target is None:
                return following
            return [self.ids.index(target)] if target in self.ids else []

        if isinstance(step, GotoSpec):
            return to(step.step)
        if step.type == "end":
            return []
        if isinstance(step, WaitForSpec):
            return to(step.then) + to(step.on_timeout)
        if isinstance(step, BranchSpec):
            return [n for case in step.branches for n in to(case.goto)] + to(step.else_)
        if isinstance(step, SplitSpec):
            return [n for v in step.variants for n in to(v.goto)]
        return following

    def graph(self) -> None:
        if len(set(self.ids)) != len(self.ids):
            return
        reached, queue = {0}, [0]
        while queue:
            for n in self.successors(queue.pop()):
                if n not in reached:
                    reached.add(n)
                    queue.append(n)
        for i, step_id in enumerate(self.ids):
            if i not in reached:
                self.error(
                    ["steps", i, "id"],
                    f"step '{step_id}' can never be reached: no step leads to it; "
                    "remove it or point a goto, branch or timeout at it",
                )
        for loop in _loops_without_wait(self):
            last = max(loop)
            names = " -> ".join(self.ids[i] for i in sorted(loop))
            self.error(
                ["steps", last, "id"],
                f"loop without a wait ({names}): a contact would run it forever; "
                "add a wait or wait_for step inside the loop",
            )

    def migrate(self) -> None:
        for source, target in self.spec.migrate.items():
            self.step_ref(["migrate", source], target)


def _loops_without_wait(lint: _Lint) -> list[set[int]]:
    """Strongly connected groups of steps (Tarjan) with no waiting step among them."""
    steps = lint.spec.steps
    active = [i for i, s in enumerate(steps) if not isinstance(s, WaitSpec | WaitForSpec)]
    edges = {i: [n for n in lint.successors(i) if n in active] for i in active}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    loops: list[set[int]] = []

    def visit(v: int) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1 or v in edges[v]:
                loops.append(group)

    for v in active:
        if v not in index:
            visit(v)
    return loops


def _hint(name: str, known: Iterable[str]) -> str:
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(choices)}"
