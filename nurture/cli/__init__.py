"""The ``nurture`` command. Thin: each module parses, calls the engine, and prints."""

from __future__ import annotations

import sys

import typer

from nurture.cli import (
    bench,
    contacts,
    db,
    demo,
    dlq,
    handoff,
    init,
    journeys,
    report,
    run,
    schema,
    scores,
    serve,
    simulate,
    templates,
    tick,
    validate,
)
from nurture.cli.app import app
from nurture.errors import NurtureError

__all__ = [
    "app",
    "bench",
    "contacts",
    "db",
    "demo",
    "dlq",
    "handoff",
    "init",
    "journeys",
    "main",
    "report",
    "run",
    "schema",
    "scores",
    "serve",
    "simulate",
    "templates",
    "tick",
    "validate",
]


def main() -> None:
    try:
        app()
    except NurtureError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
