"""The local outbox: one .eml file per message, named by our message id.

Writing the same message twice replaces the file, so a retried send never makes a second
copy; the file appears whole (written aside, then renamed).
"""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr
from pathlib import Path

from nurture.delivery.providers import OutgoingEmail

# Long header values (signed links) stay whole on one line: RFC 5322 allows 998 characters.
_POLICY = SMTP.clone(max_line_length=998)


class OutboxProvider:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, email: OutgoingEmail) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = EmailMessage(policy=_POLICY)
        message["From"] = formataddr((email.from_name, email.from_email))
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = f"<{email.message_uid}@nurture.local>"
        for name, value in {**email.trace_headers, **email.headers}.items():
            message[name] = value
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        message.set_boundary(f"nurture-{email.message_uid}")
        target = self.folder / f"{email.message_uid}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)
        return email.message_uid
