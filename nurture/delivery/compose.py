"""Build the email of one message: render its template, track its links, add compliance headers.

Link tracking happens here, so every provider sends the same signed links.
"""

from __future__ import annotations

from typing import Any

from nurture.delivery.links import Links
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.templates import Templates
from nurture.delivery.tracking import add_open_pixel, track_links
from nurture.domain.steps import SendStep
from nurture.domain.workspace import Sender


def compose(
    templates: Templates,
    links: Links,
    sender: Sender,
    message_uid: str,
    journey: str,
    step: SendStep,
    contact: dict[str, Any],
    *,
    tracking: bool = True,
) -> OutgoingEmail:
    """Raise TemplateError when the template cannot be rendered for this contact."""
    unsubscribe = links.unsubscribe_url(message_uid)
    context: dict[str, Any] = {
        "contact": contact,
        "sender": sender,
        "unsubscribe_url": unsubscribe,
        "preferences_url": unsubscribe,
        "journey": journey,
        "step": step.id,
    }
    rendered = templates.render(step.template, context, subject=step.subject)
    html = rendered.html
    if tracking:
        html = track_links(
            html, lambda url: links.click_url(message_uid, url), keep=frozenset({unsubscribe})
        )
        html = add_open_pixel(html, links.open_url(message_uid))
    return OutgoingEmail(
        message_uid=message_uid,
        to=contact["email"],
        from_email=step.from_email or sender.from_email,
        from_name=step.from_name or sender.from_name,
        subject=rendered.subject,
        html=html,
        text=rendered.text,
        journey=journey,
        step=step.id,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            **({"Reply-To": step.reply_to} if step.reply_to else {}),
        },
    )
