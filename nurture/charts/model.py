"""A journey as a graph: the entry, one node per step, the journey's end, and its goals.

Built from the compiled :class:`~nurture.domain.journeys.Journey`, so the chart shows what
the engine runs: every edge is a move the engine can make (next in order, a branch, a
variant, an event or its timeout, a goto, off the end). Edges are keyed by (source, target),
the same key the engine records moves under in an enrollment's ``path``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nurture.charts import describe
from nurture.domain.durations import format_duration
from nurture.domain.journeys import Journey
from nurture.domain.steps import (
    BranchStep,
    EndStep,
    GotoStep,
    HandoffStep,
    NotifyStep,
    SendStep,
    SplitStep,
    Step,
    UpdateStep,
    WaitForStep,
    WaitStep,
)

ENTRY = "@entry"
END = "@end"
GOALS = "@goals"


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    """entry, end, goals, or the step's type (send, wait, wait_for, branch, split, ...)."""
    title: str
    lines: tuple[str, ...] = ()

    @property
    def is_step(self) -> bool:
        return not self.id.startswith("@")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    kind: str = "next"

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)


@dataclass(frozen=True)
class Chart:
    journey: str
    name: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    version: int | None = None

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    @property
    def steps(self) -> list[Node]:
        return [n for n in self.nodes if n.is_step]


@dataclass
class _Builder:
    journey: Journey
    subjects: Mapping[str, str]
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    def connect(self, source: str, target: str | None, label: str = "", kind: str = "next") -> None:
        """An edge to ``target`` (the journey's end when None); two moves between the same
        steps (a wait_for whose event and timeout both go on) share one edge."""
        edge = Edge(source, target or END, label, kind)
        known = self.edges.get(edge.key)
        if known is not None:
            edge = Edge(source, edge.target, " / ".join(filter(None, (known.label, label))), kind)
        self.edges[edge.key] = edge

    def following(self, step: Step) -> str | None:
        after = self.journey.after(step.id)
        return after.id if after else None

    def node(self, step: Step) -> Node:
        if isinstance(step, SendStep):
            subject = step.subject or self.subjects.get(step.template)
            lines = [f"template: {step.template}"]
            if subject:
                lines.append(f"subject: {subject}")
            self.connect(step.id, self.following(step))
            return Node(step.id, "send", "Send email", tuple(lines))
        if isinstance(step, WaitStep):
            self.connect(step.id, self.following(step))
            return Node(step.id, "wait", f"Wait {describe.wait(step)}")
        if isinstance(step, WaitForStep):
            about = f" of {step.of_step}" if step.of_step else ""
            extra = f" ({describe.where(step.where)})" if step.where else ""
            timeout = format_duration(step.timeout)
            self.connect(step.id, step.then or self.following(step), step.event, "event")
            self.connect(
                step.id, step.on_timeout or self.following(step), f"after {timeout}", "timeout"
            )
            return Node(
                step.id,
                "wait_for",
                f"Wait for {step.event}",
                (f"{step.event}{about}{extra}", f"at most {timeout}"),
            )
        if isinstance(step, BranchStep):
            lines = []
            for branch in step.branches:
                text = describe.condition(branch.when)
                lines.append(f"if {text} -> {branch.goto}")
                self.connect(step.id, branch.goto, text, "branch")
            otherwise = step.otherwise or self.following(step)
            lines.append(f"else -> {otherwise or 'end'}")
            self.connect(step.id, otherwise, "else", "else")
            return Node(step.id, "branch", "Branch", tuple(lines))
        if isinstance(step, SplitStep):
            total = sum(v.weight for v in step.variants) or 1
            lines = []
            for variant in step.variants:
                share = f"{100 * variant.weight / total:g}%"
                target = variant.goto or self.following(step)
                lines.append(f"{variant.name} {share} -> {target or 'end'}")
                self.connect(step.id, target, f"{variant.name} {share}", "variant")
            return Node(step.id, "split", "A/B split", tuple(lines))
        if isinstance(step, UpdateStep):
            lines = [f"set {key} = {value}" for key, value in step.set.items()]
            if step.points:
                lines.append(f"{step.points:+d} points: {step.reason}".rstrip(": "))
            if step.stage:
                lines.append(f"stage -> {step.stage}: {step.stage_reason}".rstrip(": "))
            self.connect(step.id, self.following(step))
            return Node(step.id, "update", "Update contact", tuple(lines))
        if isinstance(step, NotifyStep):
            target = f"webhook {step.webhook}" if step.webhook else "email the owner"
            lines = [target] + ([step.message] if step.message else [])
            self.connect(step.id, self.following(step))
            return Node(step.id, "notify", "Notify", tuple(lines))
        if isinstance(step, HandoffStep):
            self.connect(step.id, self.following(step))
            return Node(
                step.id, "handoff", "Hand off to sales", (step.reason,) if step.reason else ()
            )
        if isinstance(step, GotoStep):
            self.connect(step.id, step.target, "", "goto")
            return Node(step.id, "goto", f"Go to {step.target}")
        assert isinstance(step, EndStep)
        return Node(step.id, "end", "End", (step.reason,) if step.reason else ())


def chart_of(
    journey: Journey, subjects: Mapping[str, str] | None = None, version: int | None = None
) -> Chart:
    """The chart of ``journey``; ``subjects`` gives each template's default subject line."""
    builder = _Builder(journey, subjects or {})
    nodes = [
        Node(ENTRY, "entry", "Entry", tuple(describe.entry_lines(journey.entry, journey.reentry)))
    ]
    builder.connect(ENTRY, journey.first.id if journey.first else None)
    nodes += [builder.node(step) for step in journey.steps]
    if any(edge.target == END for edge in builder.edges.values()):
        nodes.append(Node(END, "exit", "Journey complete"))
    if journey.goals:
        lines = tuple(describe.goal(goal) for goal in journey.goals)
        nodes.append(Node(GOALS, "goals", "Goals: leave when the contact", lines))
    return Chart(journey.id, journey.name, tuple(nodes), tuple(builder.edges.values()), version)
