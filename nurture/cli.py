"""The ``nurture`` command. Thin: it parses, calls the engine, and prints."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from nurture.clock import ManualClock, as_utc
from nurture.engine.boot import open_runtime
from nurture.engine.runtime import Runtime
from nurture.errors import ConfigError, NurtureError
from nurture.settings import Settings, load_settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Email nurture journeys, explainable lead scoring and sales handoff.",
)
db_app = typer.Typer(no_args_is_help=True, help="The database schema.")
contacts_app = typer.Typer(no_args_is_help=True, help="Import and inspect contacts.")
events_app = typer.Typer(no_args_is_help=True, help="Import engagement events.")
app.add_typer(db_app, name="db")
app.add_typer(contacts_app, name="contacts")
app.add_typer(events_app, name="events")

out = Console()
err = Console(stderr=True)


def _runtime(settings: Settings, **options: Any) -> Runtime:
    from nurture.store.db import is_migrated, make_engine

    engine = make_engine(settings.database_url)
    try:
        if not is_migrated(engine):
            raise ConfigError(
                f"the database {settings.database_url} has no schema yet: run `nurture db upgrade`"
            )
    finally:
        engine.dispose()
    return open_runtime(settings, **options)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database (NURTURE_DATABASE_URL) to the latest schema."""
    from nurture.store.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    out.print(f"database {settings.database_url} is at revision {revision}")


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Workspace folders or files.")] = None,
) -> None:
    """Check workspace files; print path:line:col: message for each problem (exit 1)."""
    from nurture.definitions.loader import load_workspace
    from nurture.errors import DefinitionError

    settings = load_settings()
    folders = sorted({p if p.is_dir() else p.parent for p in (paths or [settings.workspace])})
    problems: list[str] = []
    for folder in folders:
        try:
            load_workspace(folder, settings.templates)
        except DefinitionError as exc:
            problems += exc.problems
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: {', '.join(map(str, folders))}")


def _import(path: Path, kind: str) -> None:
    from nurture.engine.contacts import import_contact
    from nurture.engine.ingest import ingest_event
    from nurture.formats import ContactIn, EventIn
    from nurture.importing import ImportReport, Rejected, read_records

    rt = _runtime(load_settings())
    model: type[ContactIn] | type[EventIn] = ContactIn if kind == "contacts" else EventIn
    report = ImportReport()
    duplicates = 0
    with _progress() as progress:
        task = progress.add_task(f"importing {kind}", total=path.stat().st_size)
        for _line, record in read_records(path, model, lambda n: progress.advance(task, n)):
            if isinstance(record, Rejected):
                report.rejected.append(record)
            elif isinstance(record, ContactIn):
                import_contact(rt, record)
                report.accepted += 1
            else:
                assert isinstance(record, EventIn)
                duplicates += ingest_event(rt, record).duplicate
                report.accepted += 1
    summary = f"{report.accepted} {kind} imported, {len(report.rejected)} rejected"
    out.print(summary + (f" ({duplicates} already known)" if duplicates else ""))
    for rejected in report.rejected:
        err.print(f"{path}:{rejected.line}: {rejected.reason}", markup=False, highlight=False)
    if report.rejected:
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
    )


@contacts_app.command("import")
def contacts_import(file: Path) -> None:
    """Import contacts from a .jsonl or .csv file (the format of DESIGN.md)."""
    _import(file, "contacts")


@events_app.command("import")
def events_import(file: Path) -> None:
    """Import events from a .jsonl or .csv file; an event already seen is skipped."""
    _import(file, "events")


@contacts_app.command("show")
def contacts_show(
    email: str, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Stage, score, band and the messages sent to one contact."""
    from nurture.engine.queries import contact_summary

    rt = _runtime(load_settings())
    summary = contact_summary(rt, email)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    out.print(
        f"[bold]{summary['email']}[/]  stage {summary['stage']}  score {summary['score']}"
        f"  band {summary['band']}  grade {summary['grade']}  owner {summary['owner'] or '-'}"
    )
    for message in summary["messages"]:
        out.print(
            f"  {message['sent_at'] or 'not sent'}  {message['journey']}/{message['step']}"
            f"  [{message['status']}]  {message['subject']}",
            highlight=False,
        )


@app.command("tick")
def tick_command(
    now: Annotated[str | None, typer.Option(help="Run as if it were this ISO time.")] = None,
) -> None:
    """Run the work due now (or at --now) once."""
    from nurture.engine.tick import tick

    settings = load_settings()
    clock = ManualClock(_parse_time(now)) if now else None
    rt = _runtime(settings, clock=clock)
    result = tick(rt)
    out.print(f"{result.claimed} enrollments run, {result.sent} emails sent")


def _parse_time(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise ConfigError(f"--now {text!r}: use an ISO time such as 2026-03-04T09:00:00Z") from None


@app.command()
def demo(
    seed: int = typer.Option(7, help="The same seed gives the same run."),
    contacts: int = typer.Option(200, min=1, help="How many example contacts."),
    days: int = typer.Option(28, min=1, help="How many days of engagement to replay."),
    reset: bool = typer.Option(False, "--reset", help="Empty the database and outbox first."),
) -> None:
    """Replay generated engagement of example contacts through the example workspace."""
    from nurture.demo import DEMO_START, print_summary, run_demo

    settings = load_settings()
    clock = ManualClock(DEMO_START)
    rt = _runtime(settings, clock=clock)
    with _progress_counts() as progress:
        run_demo(
            rt,
            clock,
            settings.outbox_dir,
            seed=seed,
            contacts=contacts,
            days=days,
            reset=reset,
            progress=progress,
        )
    print_summary(rt, out, settings.outbox_dir)


def _progress_counts() -> Progress:
    from rich.progress import MofNCompleteColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def main() -> None:
    try:
        app()
    except NurtureError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
