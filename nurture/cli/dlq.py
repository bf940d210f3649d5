"""``nurture dlq``: work that failed all its retries, as the broker keeps it."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.app import app, out
from nurture.errors import ConfigError
from nurture.settings import load_settings

dlq_app = typer.Typer(no_args_is_help=True, help="Dead-lettered work: list it, retry it.")
app.add_typer(dlq_app, name="dlq")


def _broker_and_queues() -> tuple[object, list[str]]:
    if load_settings().broker_url is None:
        raise ConfigError("NURTURE_BROKER_URL is not set: without a broker nothing is queued")
    from nurture.workers import actors

    return actors.broker, [actors.STEPS, actors.EVENTS, actors.SWEEPS]


@dlq_app.command("list")
def dlq_list() -> None:
    """Show every dead-lettered message: id, queue, actor, arguments, last error."""
    from rich.table import Table

    from nurture.workers.deadletters import list_dead

    broker, queues = _broker_and_queues()
    letters = list_dead(broker, queues)  # type: ignore[arg-type]
    table = Table("message id", "queue", "actor", "arguments", "dead since", "error")
    for letter in letters:
        table.add_row(
            letter.message_id,
            letter.queue,
            letter.actor,
            repr(letter.args),
            letter.dead_at.isoformat(timespec="seconds") if letter.dead_at else "",
            letter.error or "",
        )
    out.print(table)
    out.print(f"{len(letters)} dead-lettered messages")


@dlq_app.command("retry")
def dlq_retry(
    message_ids: Annotated[
        list[str] | None, typer.Argument(help="Ids from `dlq list`; none means all.")
    ] = None,
) -> None:
    """Send dead-lettered messages back to their queues, their retries reset."""
    from nurture.workers.deadletters import retry_dead

    broker, queues = _broker_and_queues()
    retried = retry_dead(broker, queues, set(message_ids) if message_ids else None)  # type: ignore[arg-type]
    for letter in retried:
        out.print(f"retried {letter.message_id} ({letter.actor} {letter.args!r})")
    out.print(f"{len(retried)} messages sent back to their queues")
