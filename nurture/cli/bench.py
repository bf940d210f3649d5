"""``nurture bench``: the benchmark suite, every figure against a baseline of the same run."""

from __future__ import annotations

from typing import Annotated

import typer

from nurture.cli.app import app, err, out


@app.command()
def bench(
    quick: Annotated[
        bool, typer.Option("--quick", help="Smaller sizes, the same ratios (a few minutes).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Benchmark on this PostgreSQL server (in a scratch database, dropped after); "
            "default: SQLite files in a temporary folder.",
        ),
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            "--redis-url",
            help="Measure worker_scaling: `nurture worker` processes on this Redis (in a "
            "namespace of their own, removed after); needs a PostgreSQL --database-url.",
        ),
    ] = None,
    tiny: Annotated[bool, typer.Option("--tiny", hidden=True)] = False,
) -> None:
    """Measure ingest, sending, the scheduler's claim, simulation, import memory and workers."""
    from nurture.bench.runner import print_table, run_all, to_json
    from nurture.bench.sizes import FULL, QUICK, TINY

    sizes = TINY if tiny else QUICK if quick else FULL
    if database_url is not None and not database_url.startswith(("sqlite", "postgresql")):
        raise typer.BadParameter("use a postgresql+psycopg:// URL", param_hint="--database-url")
    if database_url is not None and database_url.startswith("sqlite"):
        database_url = None  # SQLite always works in scratch files, never in the user's
    if redis_url is not None and not redis_url.startswith(("redis://", "rediss://")):
        raise typer.BadParameter("use a redis:// URL", param_hint="--redis-url")
    result = run_all(sizes, database_url, redis_url, lambda name: err.print(f"bench: {name}..."))
    if as_json:
        typer.echo(to_json(result))
    else:
        print_table(result, out)
