"""The local outbox: one .eml file per message, named by our message id.

Writing the same message twice replaces the file, so a retried send never makes a second
copy; the file appears whole (written aside, then renamed). Every file is a complete RFC 5322
message: ``Date`` (the engine's clock, so a demo or a replay dates its emails in virtual
time) and a ``Message-ID`` on the sender's domain, besides From, To and Subject. The email is built with the
``email`` package's compat32 classes: the modern header registry parses every header it is
given, which made writing a file cost more than the rest of a send.
"""

from __future__ import annotations

import os
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import format_datetime, formataddr
from pathlib import Path

from nurture.clock import Clock, SystemClock
from nurture.delivery.providers import OutgoingEmail


class _OneLineHeaders(Compat32):
    """Compat32 that writes a one-line, printable ASCII header as it is.

    Folding every header through ``email.header.Header`` took half the time of an .eml.
    Long values (signed links) stay whole on one line: RFC 5322 allows 998 characters.
    """

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()  # no line breaks of any kind, nor other controls
            and len(name) + len(value) + 2 <= (self.max_line_length or 998)
        ):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]
        return folded


_POLICY = _OneLineHeaders(linesep="\r\n", max_line_length=998)
# Bodies go as they are (8bit) so an .eml reads as text, unless a line is too long for
# that (RFC 5322's 998 characters): then quoted-printable.
_UTF8_8BIT = Charset("utf-8")
_UTF8_8BIT.body_encoding = None  # type: ignore[assignment]  # None: no transfer encoding
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


class OutboxProvider:
    name = "outbox"

    def __init__(self, folder: Path, clock: Clock | None = None) -> None:
        self.folder = folder
        self.clock = clock or SystemClock()

    def send(self, email: OutgoingEmail) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = MIMEMultipart("alternative", boundary=f"nurture-{email.message_uid}")
        message["From"] = formataddr((email.from_name, email.from_email), charset="utf-8")
        message["To"] = email.to
        message["Subject"] = _encoded(email.subject)
        message["Date"] = format_datetime(self.clock.now())
        message["Message-ID"] = email.message_id
        for name, value in {**email.trace_headers, **email.headers}.items():
            message[name] = _encoded(value)
        message.attach(_part(email.text, "plain"))
        message.attach(_part(email.html, "html"))
        target = self.folder / f"{email.message_uid}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes(policy=_POLICY))
        os.replace(partial, target)
        return email.message_uid


def _part(body: str, subtype: str) -> MIMEText:
    fits = all(len(line.encode()) <= 998 for line in body.splitlines())
    return MIMEText(body, subtype, _UTF8_8BIT if fits else _UTF8_QP)  # type: ignore[arg-type]


def _encoded(value: str) -> str:
    """Plain ASCII as it is; anything else as RFC 2047 encoded words."""
    return value if value.isascii() else Header(value, "utf-8").encode()
