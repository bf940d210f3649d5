"""The root ``nurture`` command and what every command module shares.

Command modules import the engine inside their commands, not at the top: every process
(`nurture worker` before it execs Dramatiq, each scheduler) starts by importing all of them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from nurture.errors import ConfigError

if TYPE_CHECKING:
    from nurture.engine.runtime import Runtime
    from nurture.settings import Settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Email nurture journeys, explainable lead scoring and sales handoff.",
    epilog="A workspace is one folder (docs/workspace.md; start one with `nurture init DIR`). "
    "Contact, event and scenario formats: docs/formats.md.",
)
out = Console(soft_wrap=True)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The workspace folder (journeys, templates/, workspace.yaml, scoring.yaml); "
        "default: NURTURE_WORKSPACE, else the current directory.",
        show_default=False,
    ),
]
err = Console(stderr=True, soft_wrap=True)


def settings_for(workspace: Path | None = None, **overrides: Any) -> Settings:
    """The settings of the environment, with ``--workspace`` taking precedence."""
    from nurture.settings import load_settings

    if workspace is not None:
        overrides["workspace"] = workspace
    return load_settings(**overrides)


def runtime(settings: Settings, **options: Any) -> Runtime:
    """The engine on a migrated database; an unmigrated one is a clear error."""
    from nurture.engine.boot import open_runtime
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


def parse_time(text: str, option: str = "--now") -> datetime:
    """A time given on the command line, by the rule of every incoming time (nurture/times.py).

    It sets the clock (or bounds a report), so there is no clock for it to be ahead of: it
    must lie between NURTURE_TIME_EARLIEST and the latest time nurture accepts.
    """
    from nurture.settings import load_settings
    from nurture.times import parse_time as parse

    try:
        return load_settings().time_range.check(parse(text), None)
    except ValueError as exc:
        raise ConfigError(f"{option} {text[:60]!r}: {exc}") from None


def byte_progress() -> Progress:
    """A progress bar over the bytes of a file being read."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def count_progress() -> Progress:
    """A progress bar over a known number of items."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )
