"""``send_ratio``: due send steps executed against a raw sandboxed render of the template.

Each due enrollment is claimed by a tick, its step checked, rendered, recorded and handed to
a null provider, and the enrollment moved on to its wait. The baseline renders the same
template for the same contacts with the same sandboxed environment, nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nurture.bench.data import START
from nurture.bench.fixtures import add_contacts, add_first_sends
from nurture.bench.scratch import NullProvider, bench_runtime, scratch_database
from nurture.bench.timing import rate, timed
from nurture.clock import ManualClock
from nurture.domain.steps import SendStep
from nurture.engine.send.core import contact_context
from nurture.engine.tick import tick
from nurture.store import models


def run(server_url: str | None, folder: Path, count: int) -> dict[str, Any]:
    provider = NullProvider()
    with scratch_database(server_url, folder) as url:
        rt = bench_runtime(url, folder, ManualClock(START), provider)
        try:
            add_first_sends(rt, add_contacts(rt, count, START), START, START)
            with timed() as whole:
                result = tick(rt, START)
            step = rt.workspace.journey("nurture").steps[0]
            assert isinstance(step, SendStep)
            with rt.sessions() as session:
                contexts = [
                    _context(rt, contact)
                    for contact in session.query(models.Contact).order_by(models.Contact.id)
                ]
            with timed() as raw:
                for context in contexts:
                    rt.templates.render(step.template, context, subject=step.subject)
        finally:
            rt.engine.dispose()
    if result.sent != count or provider.sent != count:
        raise RuntimeError(f"send bench: {result.sent} of {count} due steps sent")
    per_s, baseline = rate(count, whole.seconds), rate(len(contexts), raw.seconds)
    return {
        "send_ratio": per_s / baseline,
        "send_per_s": per_s,
        "send_baseline_per_s": baseline,
        "sends": count,
    }


def _context(rt: Any, contact: models.Contact) -> dict[str, Any]:
    """What delivery/compose.py gives the template, unsubscribe link included."""
    return {
        "contact": contact_context(contact),
        "sender": rt.workspace.sender,
        "unsubscribe_url": rt.links.unsubscribe_url(f"bench-{contact.id}"),
        "journey": "nurture",
        "step": "welcome",
    }
