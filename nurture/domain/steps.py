"""Step types of a journey and what each asks the engine to do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SendStep:
    """Send one email rendered from ``template``."""

    id: str
    template: str
    subject: str | None = None


@dataclass(frozen=True)
class WaitStep:
    """Pause the enrollment for ``duration`` from the moment it reached this step."""

    id: str
    duration: timedelta


Step = SendStep | WaitStep


@dataclass(frozen=True)
class Send:
    """Send the email of ``step``, then move on."""

    step: SendStep


@dataclass(frozen=True)
class MoveOn:
    """The current step is done: go to the next one."""


@dataclass(frozen=True)
class Sleep:
    """Nothing to do before ``until``."""

    until: datetime


@dataclass(frozen=True)
class Finish:
    """The journey has no more steps."""


Action = Send | MoveOn | Sleep | Finish


def next_action(step: Step | None, entered_at: datetime, now: datetime) -> Action:
    """What an enrollment standing on ``step`` since ``entered_at`` must do at ``now``."""
    if step is None:
        return Finish()
    if isinstance(step, SendStep):
        return Send(step)
    due = entered_at + step.duration
    return MoveOn() if now >= due else Sleep(due)
