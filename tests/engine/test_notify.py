"""The notify step's owner email: its subject and text are marketer-written templates too,
bounded like every template, and a failure is one line naming the step and the line."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nurture.domain.steps import NotifyStep
from nurture.engine.notify import owner_email
from nurture.errors import TemplateError

RT = SimpleNamespace(
    workspace=SimpleNamespace(sender=SimpleNamespace(from_email="m@x.example", from_name="M"))
)
CONTEXT = {"contact": {"email": "ana@acme.com", "score": 45}, "journey": "j", "step": "tell"}


def email(subject: str, message: str):
    step = NotifyStep("tell", owner_subject=subject, message=message)
    return owner_email(RT, step, "uid-1", "rep@x.example", CONTEXT, "j")  # type: ignore[arg-type]


def test_the_owner_email_renders_its_subject_and_text() -> None:
    sent = email("Hot: {{ contact.email }}", "Score {{ contact.score }}\nCall today.")
    assert (sent.to, sent.subject, sent.text) == (
        "rep@x.example",
        "Hot: ana@acme.com",
        "Score 45\nCall today.\n",
    )


@pytest.mark.parametrize(
    ("subject", "message", "error"),
    [
        (
            "Hot {{ 9**(9**9) }}",
            "x",
            "notify step tell, subject:1: 9 ** 387420489 is too large a number",
        ),
        (
            "Hot",
            "Hi\n{{ contact.score / 0 }}",
            "notify step tell, message:2: division by zero (ZeroDivisionError)",
        ),
        (
            "Hot",
            "Hi\n\n{{ contact.nope }}",
            "notify step tell, message:3: 'dict object' has no attribute 'nope'",
        ),
    ],
)
def test_a_failing_owner_email_is_one_line_with_its_line(
    subject: str, message: str, error: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        email(subject, message)
    assert str(raised.value) == error
