"""Sales feedback on a handed-off contact, and the explicit stage moves it makes.

Accept makes an MQL a SAL; qualify (with BANT) a SQL; reject recycles it back to marketing.
Recycle and disqualify are the only moves backwards, and always carry a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from nurture.domain.lifecycle import Transition

BANT = ("budget", "authority", "need", "timeline")
RECYCLABLE = frozenset({"mql", "sal", "sql", "opportunity"})


class FeedbackRefused(ValueError):
    """The feedback does not fit where the contact stands."""


@dataclass(frozen=True)
class Bant:
    budget: str
    authority: str
    need: str
    timeline: str

    def __post_init__(self) -> None:
        missing = [name for name in BANT if not getattr(self, name).strip()]
        if missing:
            raise FeedbackRefused(f"qualifying needs BANT: give {', '.join(missing)}")

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in BANT}


def accept(stage: str, by: str) -> Transition:
    if stage != "mql":
        raise FeedbackRefused(f"only an MQL can be accepted; this contact is {stage}")
    return Transition(stage, "sal", f"accepted by {by}")


def qualify(stage: str, by: str, bant: Bant) -> Transition:
    if stage not in ("mql", "sal"):
        raise FeedbackRefused(f"only an MQL or SAL can be qualified; this contact is {stage}")
    summary = "; ".join(f"{k} {v}" for k, v in bant.as_dict().items())
    return Transition(stage, "sql", f"qualified by {by} (BANT: {summary})")


def reject(stage: str, by: str, reason: str) -> Transition:
    if stage not in ("mql", "sal"):
        raise FeedbackRefused(f"only an MQL or SAL can be rejected; this contact is {stage}")
    return recycle(stage, f"rejected by {by}: {_reason(reason)}")


def recycle(stage: str, reason: str) -> Transition:
    """Back to marketing: only what was handed to sales and is not yet a customer."""
    if stage not in RECYCLABLE:
        raise FeedbackRefused(
            f"a {stage} contact cannot be recycled: only an MQL, SAL, SQL or opportunity"
        )
    return Transition(stage, "recycled", _reason(reason))


def disqualify(stage: str, reason: str) -> Transition:
    if stage == "disqualified":
        raise FeedbackRefused("the contact is already disqualified")
    if stage == "customer":
        raise FeedbackRefused("a customer cannot be disqualified")
    return Transition(stage, "disqualified", _reason(reason))


def _reason(reason: str) -> str:
    if not reason.strip():
        raise FeedbackRefused("give a reason (--reason): it goes back to marketing")
    return reason.strip()
