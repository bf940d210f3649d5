"""``nurture handoff``: sales answers an MQL (accept, reject, qualify) and sees what is open."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, out, runtime, settings_for
from nurture.errors import FeedbackError

handoff_app = typer.Typer(no_args_is_help=True, help="Sales feedback on handed-off MQLs.")
app.add_typer(handoff_app, name="handoff")

ByOption = Annotated[str | None, typer.Option("--by", help="Who answers (default: the owner).")]


@handoff_app.command("accept")
def handoff_accept(email: str, by: ByOption = None, workspace: WorkspaceOption = None) -> None:
    """Sales takes the MQL: it becomes a SAL."""
    from nurture.engine import feedback

    out.print(f"{email}: {feedback.accept(runtime(settings_for(workspace)), email, by)}")


@handoff_app.command("reject")
def handoff_reject(
    email: str,
    reason: Annotated[str, typer.Option("--reason", help="Why: marketing reads it.")],
    by: ByOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Sales turns the MQL down: it is recycled to marketing and nurtured again."""
    from nurture.engine import feedback

    out.print(f"{email}: {feedback.reject(runtime(settings_for(workspace)), email, reason, by)}")


@handoff_app.command("qualify")
def handoff_qualify(
    email: str,
    budget: Annotated[str, typer.Option(help="B of BANT, e.g. '20k EUR approved'.")],
    authority: Annotated[str, typer.Option(help="A: who decides.")],
    need: Annotated[str, typer.Option(help="N: the problem to solve.")],
    timeline: Annotated[str, typer.Option(help="T: when they buy.")],
    by: ByOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Sales qualifies the lead with BANT: it becomes a SQL."""
    from nurture.domain.feedback import Bant, FeedbackRefused
    from nurture.engine import feedback

    try:
        bant = Bant(budget, authority, need, timeline)
    except FeedbackRefused as exc:
        raise FeedbackError(str(exc)) from None
    out.print(f"{email}: {feedback.qualify(runtime(settings_for(workspace)), email, bant, by)}")


@handoff_app.command("list")
def handoff_list(workspace: WorkspaceOption = None) -> None:
    """Every handoff: owner, status, SLA due time, and notifications not yet delivered."""
    from nurture.engine.explain import handoff_board

    board = handoff_board(runtime(settings_for(workspace)))
    for h in board["handoffs"]:
        out.print(
            f"{h['email']}  {h['owner']}  {h['status']}  due {h['sla_due_at']}", highlight=False
        )
    for n in board["undelivered"]:
        out.print(
            f"  notification {n['id']} {n['channel']} to {n['target']}: {n['status']} after "
            f"{n['attempts']} attempts ({n['error'] or 'not tried yet'}), next {n['next_attempt_at']}",
            highlight=False,
        )
