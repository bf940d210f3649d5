"""``nurture contacts explain``, ``nurture scores recompute``, and the explicit stage moves."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from nurture.cli.app import WorkspaceOption, app, out, parse_time, runtime, settings_for
from nurture.cli.contacts import contacts_app
from nurture.clock import ManualClock

scores_app = typer.Typer(no_args_is_help=True, help="Lead scores: replay after a model change.")
app.add_typer(scores_app, name="scores")

NowOption = Annotated[str | None, typer.Option(help="Run as if it were this ISO time.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why: kept in the stage history.")]


@contacts_app.command("explain")
def contacts_explain(
    email: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Score, band, grade and stage, rule by rule with dates, and the stage history."""
    from nurture.engine.explain import explain

    data = explain(runtime(settings_for(workspace)), email)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    print_explanation(data)


def print_explanation(data: dict[str, Any]) -> None:
    action = f"  -> {data['action']}" if data["action"] else ""
    out.print(
        f"[bold]{data['email']}[/]  score {data['score']}  band {data['band']}"
        f"  grade {data['grade']}  stage {data['stage']}  owner {data['owner'] or '-'}{action}",
        highlight=False,
    )
    mql = data["mql"]
    out.print(
        f"  behaviour {data['behaviour_points']} + fit {data['fit_points']}"
        f" = {data['score']}  (MQL at {mql['score']} with grade {', '.join(mql['grades'])})",
        highlight=False,
    )
    out.print("[bold]ledger[/]")
    for row in data["ledger"]:
        out.print(
            f"  {_when(row['at'])}  {row['points']:+5d}  {row['kind']:<10} {row['rule']:<20}"
            f" {escape(row['reason'])}",
            highlight=False,
        )
    out.print(f"  {'':16}  {data['score']:5d}  total")
    out.print("[bold]by rule[/]")
    for rule, points in data["by_rule"].items():
        out.print(f"  {rule:<20} {points:+5d}", highlight=False)
    out.print("[bold]stages[/]")
    for stage in data["stages"]:
        out.print(
            f"  {_when(stage['at'])}  {stage['from'] or '-':>12} -> {stage['to']:<12}"
            f" {escape(stage['cause'])}",
            highlight=False,
        )
    for handoff in data["handoffs"]:
        out.print(
            f"[bold]handoff[/] to {handoff['owner']}: {handoff['status']}"
            f", SLA due {_when(handoff['sla_due_at'])}",
            highlight=False,
        )
        for event in handoff["events"]:
            out.print(
                f"  {_when(event['at'])}  {event['kind']:<10} {escape(event['detail'])}",
                highlight=False,
            )


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


@scores_app.command("recompute")
def scores_recompute(now: NowOption = None, workspace: WorkspaceOption = None) -> None:
    """Replay every contact's events through the scoring model as it is now."""
    from nurture.engine.recompute import recompute

    clock = ManualClock(parse_time(now)) if now is not None else None
    result = recompute(runtime(settings_for(workspace), clock=clock))
    out.print(f"{result.contacts} contacts rescored, {result.changed} scores changed")


@contacts_app.command("recycle")
def contacts_recycle(email: str, reason: ReasonOption, workspace: WorkspaceOption = None) -> None:
    """Send a contact back to marketing (recycled) with a reason; its behaviour score resets."""
    from nurture.engine import feedback

    stage = feedback.recycle(runtime(settings_for(workspace)), email, reason)
    out.print(f"{email}: {stage}")


@contacts_app.command("disqualify")
def contacts_disqualify(
    email: str, reason: ReasonOption, workspace: WorkspaceOption = None
) -> None:
    """Take a contact out of the funnel with a reason; its journeys end."""
    from nurture.engine import feedback

    stage = feedback.disqualify(runtime(settings_for(workspace)), email, reason)
    out.print(f"{email}: {stage}")
