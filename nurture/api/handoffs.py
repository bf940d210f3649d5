"""Sales feedback over HTTP: accept, reject or qualify a handed-off MQL (as `nurture handoff`)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from nurture.api.deps import RuntimeDep, require_token
from nurture.domain.feedback import Bant
from nurture.engine import feedback
from nurture.errors import FeedbackError, NotFound

router = APIRouter(tags=["handoffs"], dependencies=[Depends(require_token)])
Text = Field(min_length=1, max_length=2000)


class Answer(BaseModel):
    by: str | None = Field(default=None, description="Who answers (default: the owner).")


class Rejection(Answer):
    reason: str = Text


class Qualification(Answer):
    budget: str = Text
    authority: str = Text
    need: str = Text
    timeline: str = Text


class Outcome(BaseModel):
    email: str
    result: str = Field(description="What changed, in words.")


class Problem(BaseModel):
    detail: str


RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": Problem},
    404: {"model": Problem, "description": "No such contact."},
    409: {"model": Problem, "description": "The contact's stage or handoff does not allow it."},
    503: {"model": Problem},
}


def _answer(email: str, act: Callable[[], str]) -> Outcome:
    try:
        return Outcome(email=email, result=act())
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except FeedbackError as exc:
        raise HTTPException(409, str(exc)) from None


@router.post("/handoffs/{email}/accept", responses=RESPONSES, summary="Accept an MQL: SAL")
def accept(email: str, rt: RuntimeDep, body: Answer | None = None) -> Outcome:
    return _answer(email, lambda: feedback.accept(rt, email, body.by if body else None))


@router.post("/handoffs/{email}/reject", responses=RESPONSES, summary="Reject: recycled")
def reject(email: str, body: Rejection, rt: RuntimeDep) -> Outcome:
    return _answer(email, lambda: feedback.reject(rt, email, body.reason, body.by))


@router.post("/handoffs/{email}/qualify", responses=RESPONSES, summary="Qualify with BANT: SQL")
def qualify(email: str, body: Qualification, rt: RuntimeDep) -> Outcome:
    bant = Bant(body.budget, body.authority, body.need, body.timeline)
    return _answer(email, lambda: feedback.qualify(rt, email, bant, body.by))
