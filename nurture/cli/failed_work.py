"""``nurture failures``: journey steps and handoff notifications that failed for good."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from nurture.cli.app import app, out, runtime
from nurture.errors import InputError
from nurture.settings import load_settings

failures_app = typer.Typer(
    no_args_is_help=True, help="Failed steps and notifications: list them, retry them."
)
app.add_typer(failures_app, name="failures")


@failures_app.command("list")
def failures_list(
    retrying: Annotated[
        bool, typer.Option("--retrying", help="Also show steps backing off between attempts.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every failed step (its enrollment exited, reason failed) and failed notification."""
    from rich.table import Table

    from nurture.engine.failures import list_failures

    found = list_failures(runtime(load_settings()), retrying=retrying)
    if as_json:
        rows = [{**f.__dict__, "at": f.at.isoformat() if f.at else None} for f in found]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "status", "contact", "journey/step", "attempts", "at", "error")
    for f in found:
        table.add_row(
            f.id,
            f.status,
            f.contact,
            f"{f.journey}/{f.step}",
            str(f.attempts),
            f.at.isoformat(timespec="seconds") if f.at else "",
            escape(f.error),
        )
    out.print(table)
    out.print(f"{sum(f.status == 'failed' for f in found)} failed")


@failures_app.command("retry")
def failures_retry(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Ids from `failures list` (enrollment:N, notification:N)."),
    ] = None,
    retry_all: Annotated[bool, typer.Option("--all", help="Retry every failure.")] = False,
) -> None:
    """Put failed work back as due now, with fresh attempts (fix the cause first)."""
    from nurture.engine.failures import retry_failures

    if not ids and not retry_all:
        raise InputError("name the failures to retry (ids from `nurture failures list`) or --all")
    count = retry_failures(runtime(load_settings()), None if retry_all else ids)
    out.print(f"{count} failures put back to run now")
