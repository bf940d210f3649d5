from datetime import UTC, datetime, timedelta

from nurture.domain.steps import Finish, MoveOn, Send, SendStep, Sleep, Step, WaitStep, next_action

ENTERED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WAIT = WaitStep("pause", timedelta(days=2))


def test_send_step_asks_for_its_email() -> None:
    step = SendStep("welcome", "welcome", subject="Hi")
    assert next_action(step, ENTERED, ENTERED) == Send(step)


def test_send_step_is_sent_however_late() -> None:
    step = SendStep("welcome", "welcome")
    assert next_action(step, ENTERED, ENTERED + timedelta(days=30)) == Send(step)


def test_wait_not_yet_due_sleeps_until_it_is() -> None:
    now = ENTERED + timedelta(days=1)
    assert next_action(WAIT, ENTERED, now) == Sleep(ENTERED + timedelta(days=2))


def test_wait_one_second_early_still_sleeps() -> None:
    now = ENTERED + timedelta(days=2, seconds=-1)
    assert next_action(WAIT, ENTERED, now) == Sleep(ENTERED + timedelta(days=2))


def test_wait_due_exactly_at_the_boundary_moves_on() -> None:
    assert next_action(WAIT, ENTERED, ENTERED + timedelta(days=2)) == MoveOn()


def test_wait_overdue_moves_on() -> None:
    assert next_action(WAIT, ENTERED, ENTERED + timedelta(days=9)) == MoveOn()


def test_no_step_finishes() -> None:
    assert next_action(None, ENTERED, ENTERED) == Finish()


def test_split_spreads_contacts_by_weight_and_keeps_each_in_its_variant() -> None:
    from collections import Counter

    from nurture.domain.steps import SplitStep, Variant

    split = SplitStep("ab", (Variant("a", 3, "va"), Variant("b", 1, "vb")))
    picks = [split.variant_for(f"p{i}@acme.com:j").name for i in range(4000)]
    counts = Counter(picks)
    assert 2850 <= counts["a"] <= 3150  # 3:1 within a few percent
    assert picks == [split.variant_for(f"p{i}@acme.com:j").name for i in range(4000)]


def test_wait_for_an_event_seen_moves_on_else_times_out() -> None:
    from nurture.domain.steps import StepContext, WaitForStep

    class Seen:
        def __init__(self, n: int) -> None:
            self.n = n

        def count_events(self, type, where, since):  # type: ignore[no-untyped-def]
            return self.n

        def step_outcome(self, step, outcome):  # type: ignore[no-untyped-def]
            return False

    step = WaitForStep("w", "email_clicked", timedelta(days=3), then="yes", on_timeout="no")
    assert next_action(step, ENTERED, ENTERED, StepContext(facts=Seen(1))) == MoveOn(
        "yes", because="email_clicked"
    )
    assert next_action(
        step, ENTERED, ENTERED + timedelta(days=1), StepContext(facts=Seen(0))
    ) == Sleep(ENTERED + timedelta(days=3))
    assert next_action(
        step, ENTERED, ENTERED + timedelta(days=3), StepContext(facts=Seen(0))
    ) == MoveOn("no", because="timed out: no email_clicked")


def test_a_branch_says_which_condition_chose_the_way_or_else() -> None:
    from nurture.domain.conditions import StateIn, Subject
    from nurture.domain.contacts import Profile, State
    from nurture.domain.steps import Branch, BranchStep, StepContext

    step = BranchStep(
        "fit",
        (
            Branch(StateIn("grade", frozenset({"A"})), "sales", "{grade: [A]}"),
            Branch(StateIn("band", frozenset({"hot"})), "call"),
        ),
        otherwise="nurture",
    )

    def ctx(grade: str, band: str) -> StepContext:
        state = State(stage="lead", score=0, band=band, grade=grade)
        return StepContext(subject=Subject(Profile("a@b.co"), state, ENTERED))

    assert next_action(step, ENTERED, ENTERED, ctx("A", "hot")) == MoveOn(
        "sales", because="{grade: [A]}"
    )
    assert next_action(step, ENTERED, ENTERED, ctx("C", "hot")) == MoveOn(
        "call", because="branch 2"
    )
    assert next_action(step, ENTERED, ENTERED, ctx("C", "cold")) == MoveOn(
        "nurture", because="else"
    )


def test_only_the_steps_that_read_the_contact_are_given_it() -> None:
    """Send rounds build the contact's subject and facts only for READS_CONTACT: every other
    step must decide without them (a context whose facts fail when asked)."""
    from typing import get_args

    from nurture.domain.steps import (
        READS_CONTACT,
        EndStep,
        GotoStep,
        HandoffStep,
        NotifyStep,
        SplitStep,
        StepContext,
        UpdateStep,
        Variant,
        WaitStep,
    )

    class Unread:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"a step read the contact's facts ({name})")

    others = [
        SendStep("send", "welcome"),
        WaitStep("wait", timedelta(days=1)),
        SplitStep("split", (Variant("a", 1, "send"),)),
        UpdateStep("update", points=5),
        NotifyStep("notify"),
        HandoffStep("handoff"),
        GotoStep("goto", "send"),
        EndStep("end"),
    ]
    kinds = {type(step) for step in others}
    assert kinds | set(READS_CONTACT) == set(get_args(Step)), "a new step type: list it here"
    ctx = StepContext(subject=None, facts=Unread(), zone="Europe/Paris", key="a@b.c:j")  # type: ignore[arg-type]
    for step in others:
        next_action(step, ENTERED, ENTERED + timedelta(days=2), ctx)
