"""Sales feedback moves stages explicitly, and refuses what does not fit."""

from __future__ import annotations

import pytest

from nurture.domain import feedback
from nurture.domain.feedback import Bant, FeedbackRefused

BANT = Bant("20k EUR", "CMO signs", "board reporting", "Q2")


def test_accept_qualify_and_reject_from_their_stages() -> None:
    assert feedback.accept("mql", "maja").to_stage == "sal"
    move = feedback.qualify("sal", "maja", BANT)
    assert (move.to_stage, move.cause) == (
        "sql",
        "qualified by maja (BANT: budget 20k EUR; authority CMO signs; need board reporting;"
        " timeline Q2)",
    )
    move = feedback.reject("mql", "maja", " not our market ")
    assert (move.to_stage, move.cause) == ("recycled", "rejected by maja: not our market")


@pytest.mark.parametrize("stage", ["mql", "sal", "sql", "opportunity"])
def test_what_sales_was_given_may_be_recycled_or_disqualified(stage: str) -> None:
    assert feedback.recycle(stage, "went quiet").to_stage == "recycled"
    assert feedback.disqualify(stage, "a competitor").to_stage == "disqualified"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: feedback.accept("lead", "maja"), "only an MQL can be accepted"),
        (lambda: feedback.qualify("lead", "maja", BANT), "only an MQL or SAL"),
        (lambda: feedback.reject("sql", "maja", "x"), "only an MQL or SAL"),
        (lambda: feedback.reject("mql", "maja", "  "), "give a reason"),
        (lambda: feedback.recycle("customer", "x"), "cannot be recycled"),
        (lambda: feedback.recycle("lead", "x"), "only an MQL, SAL, SQL or opportunity"),
        (lambda: feedback.disqualify("disqualified", "x"), "already"),
        (lambda: feedback.disqualify("customer", "x"), "a customer cannot be disqualified"),
        (lambda: Bant("", "a", "n", " "), "give budget, timeline"),
    ],
)
def test_refusals_say_why(call, message: str) -> None:
    with pytest.raises(FeedbackRefused, match=message):
        call()
