"""``nurture templates render``: preview an email as one contact would receive it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.app import WorkspaceOption, app, out, runtime, settings_for
from nurture.errors import NotFound

templates_app = typer.Typer(no_args_is_help=True, help="Preview email templates.")
app.add_typer(templates_app, name="templates")


@templates_app.command("render")
def render_command(
    name: Annotated[str, typer.Argument(help="Template name: templates/NAME.html")],
    contact: Annotated[str, typer.Option("--contact", help="Render for this contact's email.")],
    output: Annotated[
        Path | None, typer.Option("--out", help="HTML file to write (default: NAME.preview.html)")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Render NAME for a stored contact and write its HTML to a file (links untracked)."""
    from nurture.delivery.compose import compose
    from nurture.domain.contacts import normalise_email
    from nurture.domain.steps import SendStep
    from nurture.engine.contacts import find_contact
    from nurture.engine.send.core import contact_context

    settings = settings_for(workspace)
    rt = runtime(settings)
    with rt.sessions() as session:
        found = find_contact(session, normalise_email(contact))
        if found is None:
            raise NotFound(f"no contact {contact}: import it first (nurture contacts import)")
        context = contact_context(found)
    email = compose(
        rt.templates,
        rt.links,
        rt.workspace.sender,
        "preview",
        "preview",
        SendStep("preview", name, None),
        context,
        tracking=False,
    )
    target = output or Path(f"{name}.preview.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(email.html, encoding="utf-8")
    out.print(f"Subject: {email.subject}")
    out.print(f"HTML written to {target} ({len(email.html)} characters)")
