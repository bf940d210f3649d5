from datetime import UTC, datetime, timedelta

from nurture.domain.steps import Finish, MoveOn, Send, SendStep, Sleep, WaitStep, next_action

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
