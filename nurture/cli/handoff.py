"""``nurture handoff``: sales answers an MQL (accept, reject, qualify) and sees what is open."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nurture.cli.app import NowOption, WorkspaceOption, app, clock_at, out, runtime, settings_for
from nurture.errors import FeedbackError

if TYPE_CHECKING:
    from nurture.engine.runtime import Runtime

handoff_app = typer.Typer(no_args_is_help=True, help="Sales feedback on handed-off MQLs.")
app.add_typer(handoff_app, name="handoff")

ByOption = Annotated[str | None, typer.Option("--by", help="Who answers (default: the owner).")]


def _runtime(workspace: Path | None, now: str | None) -> Runtime:
    """The engine at --now: an answer's time decides whether it came within the SLA."""
    return runtime(settings_for(workspace), clock=clock_at(now))


@handoff_app.command("accept")
def handoff_accept(
    email: str, by: ByOption = None, now: NowOption = None, workspace: WorkspaceOption = None
) -> None:
    """Sales takes the MQL: it becomes a SAL."""
    from nurture.engine import feedback

    out.print(f"{email}: {feedback.accept(_runtime(workspace, now), email, by)}")


@handoff_app.command("reject")
def handoff_reject(
    email: str,
    reason: Annotated[str, typer.Option("--reason", help="Why: marketing reads it.")],
    by: ByOption = None,
    now: NowOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Sales turns the MQL down: it is recycled to marketing and nurtured again."""
    from nurture.engine import feedback

    out.print(f"{email}: {feedback.reject(_runtime(workspace, now), email, reason, by)}")


@handoff_app.command("qualify")
def handoff_qualify(
    email: str,
    budget: Annotated[str, typer.Option(help="B of BANT, e.g. '20k EUR approved'.")],
    authority: Annotated[str, typer.Option(help="A: who decides.")],
    need: Annotated[str, typer.Option(help="N: the problem to solve.")],
    timeline: Annotated[str, typer.Option(help="T: when they buy.")],
    by: ByOption = None,
    now: NowOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Sales qualifies the lead with BANT: it becomes a SQL."""
    from nurture.domain.feedback import Bant, FeedbackRefused
    from nurture.engine import feedback

    try:
        bant = Bant(budget, authority, need, timeline)
    except FeedbackRefused as exc:
        raise FeedbackError(str(exc)) from None
    out.print(f"{email}: {feedback.qualify(_runtime(workspace, now), email, bant, by)}")


@handoff_app.command("list")
def handoff_list(
    workspace: WorkspaceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The same as one JSON document.")] = False,
) -> None:
    """Every handoff per contact: owner, status, SLA due time, reassignments, escalations and
    breaches, and the notifications about it not yet delivered."""
    from nurture.engine.explain import handoff_board

    board = handoff_board(runtime(settings_for(workspace)))
    if as_json:
        out.file.write(json.dumps(board, indent=2) + "\n")
        return
    waiting: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in board["undelivered"]:
        waiting[n["handoff_id"]].append(n)
    per_contact: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for h in board["handoffs"]:
        per_contact[h["email"]].append(h)
    for email, handoffs in sorted(per_contact.items()):
        out.print(email, highlight=False)
        for h in handoffs:
            out.print(
                f"  {h['status']:<9} {h['owner']}  due {h['sla_due_at']}  "
                f"{_plural(h['reassignments'], 'reassignment')}, "
                f"{_plural(h['escalations'], 'escalation')}, "
                f"{_plural(h['breaches'], 'SLA breach', 'SLA breaches')}",
                highlight=False,
            )
            for n in waiting[h["id"]]:
                out.print(
                    f"    notification {n['id']} {n['channel']} to {n['target']}: {n['status']} "
                    f"after {n['attempts']} attempts ({n['error'] or 'not tried yet'}), "
                    f"next {n['next_attempt_at']}",
                    highlight=False,
                )
    handoffs = board["handoffs"]
    out.print(
        f"{_plural(len(handoffs), 'handoff')} of {_plural(len(per_contact), 'contact')}: "
        f"{_plural(sum(h['reassignments'] for h in handoffs), 'reassignment')}, "
        f"{_plural(sum(h['escalations'] for h in handoffs), 'escalation')}, "
        f"{_plural(sum(h['breaches'] for h in handoffs), 'SLA breach', 'SLA breaches')}; "
        f"{_plural(len(board['undelivered']), 'notification')} not delivered",
        highlight=False,
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
