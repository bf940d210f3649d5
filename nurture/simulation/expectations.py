"""Check a scenario's ``expect`` against the timeline its simulation produced.

Each expectation looks at one contact at one moment (``by``): the emails sent until then,
the stage it stood in, its score. The state is read back from the timeline's rows (sent
emails, stage changes, ledger rows), so it is what the engine did, not a second model of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nurture.simulation.run import Simulation
from nurture.simulation.scenario import Expectation
from nurture.simulation.timeline import Entry


@dataclass(frozen=True)
class Verdict:
    expectation: Expectation
    differences: list[str]
    """One line per thing that differs: what was expected, what happened."""

    @property
    def passed(self) -> bool:
        return not self.differences


def check(simulation: Simulation) -> list[Verdict]:
    return [
        Verdict(expectation, _differences(simulation, expectation))
        for expectation in simulation.scenario.expect
    ]


def _differences(simulation: Simulation, expected: Expectation) -> list[str]:
    email = expected.email
    if email not in simulation.stages:
        return [f"no contact {email} in this simulation: add it to contacts or events"]
    mine = [e for e in simulation.entries if e.email == email]
    before = [e for e in mine if e.at <= expected.by]
    sent = {_name(e): e.at for e in reversed(before) if e.kind == "sent"}  # first send wins
    found: list[str] = []
    missing = [name for name in expected.sent if name not in sent]
    if missing:
        so_far = ", ".join(sorted(sent, key=sent.__getitem__)) or "nothing"
        found.append(f"sent: expected {', '.join(missing)}; sent by then: {so_far}")
    for name in expected.not_sent:
        if name in sent:
            found.append(f"not_sent: {name} was sent at {_utc(sent[name])}")
    if expected.stage is not None:
        stage = _stage_at(mine, expected.by, simulation.stages[email])
        if stage != expected.stage:
            found.append(f"stage: expected {expected.stage}, was {stage}")
    if expected.score is not None:
        scores = [int(e.data["score"]) for e in before if e.kind == "score"]
        score = scores[-1] if scores else 0
        if score != expected.score:
            found.append(f"score: expected {expected.score}, was {score}")
    return found


def _name(entry: Entry) -> str:
    return f"{entry.data['journey']}/{entry.data['step']}"


def _stage_at(entries: list[Entry], moment: datetime, final: str) -> str:
    """The stage of the last change at or before ``moment``; before any, the first one's start."""
    changes = [e for e in entries if e.kind == "stage"]
    done = [e for e in changes if e.at <= moment]
    if done:
        return str(done[-1].data["to"])
    return str(changes[0].data["from"]) if changes else final


def report(simulation: Simulation, verdicts: list[Verdict]) -> str:
    """The check as a marketer reads it: one line per expectation, the differences below."""
    lines: list[str] = []
    for verdict in verdicts:
        e = verdict.expectation
        head = f"{e.where}: {e.email} by {e.label} ({_utc(e.by)})"
        lines.append(f"{'PASS' if verdict.passed else 'FAIL'}  {head}")
        lines.extend(f"      {line}" for line in verdict.differences)
    lines.extend(f"PROBLEM  {problem}" for problem in simulation.problems)
    failed = sum(1 for v in verdicts if not v.passed)
    summary = f"{len(verdicts)} expectations: {len(verdicts) - failed} passed, {failed} failed"
    if simulation.problems:
        summary += f"; {len(simulation.problems)} scenario lines could not be played"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
