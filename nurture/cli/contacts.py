"""``nurture contacts`` and ``nurture events``: bring data in, look at a contact."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from nurture.cli.app import (
    NowOption,
    WorkspaceOption,
    app,
    byte_progress,
    clock_at,
    err,
    out,
    runtime,
    settings_for,
)
from nurture.errors import InputError

if TYPE_CHECKING:
    from nurture.importing import ImportReport, RecordT

contacts_app = typer.Typer(no_args_is_help=True, help="Import and inspect contacts.")
events_app = typer.Typer(no_args_is_help=True, help="Import engagement events.")
app.add_typer(contacts_app, name="contacts")
app.add_typer(events_app, name="events")


def _import(path: Path, kind: str, workspace: Path | None, now: str | None) -> None:
    from nurture.engine.contacts import import_contacts
    from nurture.engine.ingest import ingest_events
    from nurture.formats import ContactIn, EventIn
    from nurture.importing import ImportReport, file_format, read_records

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    file_format(path)
    settings = settings_for(workspace)
    rt = runtime(settings, clock=clock_at(now))
    report = ImportReport()
    duplicates = 0
    with byte_progress() as progress:
        task = progress.add_task(f"importing {kind}", total=path.stat().st_size)
        advance = lambda n: progress.advance(task, n)  # noqa: E731
        if kind == "events":
            events = read_records(
                path,
                EventIn,
                advance,
                lambda e: e.time_problem(settings.time_range, rt.clock.now()),
            )
            for done in ingest_events(rt, _accepted(events, EventIn, report)):
                duplicates += done.duplicate
                report.accepted += 1
        else:
            contacts = read_records(path, ContactIn, advance)
            for _contact in import_contacts(rt, _accepted(contacts, ContactIn, report)):
                report.accepted += 1
    summary = f"{report.accepted - duplicates} {kind} imported, {len(report.rejected)} rejected"
    out.print(summary + (f", {duplicates} already known" if duplicates else ""))
    for rejected in report.rejected:
        err.print(f"{path}:{rejected.line}: {rejected.reason}", markup=False, highlight=False)
    if report.rejected:
        raise typer.Exit(1)


def _accepted(
    records: Iterable[tuple[int, object]], model: type[RecordT], report: ImportReport
) -> Iterator[RecordT]:
    """The valid records, streamed; the rejected ones go to the report."""
    from nurture.importing import Rejected

    for _line, record in records:
        if isinstance(record, Rejected):
            report.rejected.append(record)
        else:
            assert isinstance(record, model)
            yield record


@contacts_app.command("import")
def contacts_import(file: Path, now: NowOption = None, workspace: WorkspaceOption = None) -> None:
    """Import contacts from a .jsonl or .csv file.

    Fields: email (required), first_name, last_name, job_title, company, company_size, industry, country, timezone, source, attributes. Formats and examples: docs/formats.md.
    """
    _import(file, "contacts", workspace, now)


@events_app.command("import")
def events_import(file: Path, now: NowOption = None, workspace: WorkspaceOption = None) -> None:
    """Import events from a .jsonl or .csv file; an event already seen is skipped.

    Fields: id, email (required), type (required), at, properties. Formats and examples: docs/formats.md.
    """
    _import(file, "events", workspace, now)


@contacts_app.command("show")
def contacts_show(
    email: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    now: NowOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Stage, score, band, the messages sent to one contact and its failed steps (at --now)."""
    from nurture.engine.queries import contact_summary

    rt = runtime(settings_for(workspace), clock=clock_at(now))
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
            f"  \\[{message['status']}]  {escape(message['subject'] or '')}"
            + (f"  {escape(message['error'])}" if message["error"] else ""),
            highlight=False,
        )
    for journey in summary["enrollments"]:
        if journey["exit_reason"] == "failed":
            out.print(
                f"  [red]failed[/] {journey['journey']}/{journey['step']} after "
                f"{journey['attempts']} attempts: {escape(journey['last_error'] or '')}"
                "  (nurture failures list | retry)",
                highlight=False,
            )
        elif journey["attempts"]:
            out.print(
                f"  [yellow]retrying[/] {journey['journey']}/{journey['step']}: attempt "
                f"{journey['attempts'] + 1} at {journey['next_run_at']}, last error "
                f"{escape(journey['last_error'] or '')}",
                highlight=False,
            )
