"""``nurture db``: the database schema."""

from __future__ import annotations

import typer

from nurture.cli.app import app, out
from nurture.settings import load_settings

db_app = typer.Typer(no_args_is_help=True, help="The database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database (NURTURE_DATABASE_URL) to the latest schema."""
    from nurture.store.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    out.print(f"database {settings.database_url} is at revision {revision}")
