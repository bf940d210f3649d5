"""The local outbox writes standard .eml files that any mail reader opens."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from nurture.clock import ManualClock
from nurture.delivery.providers import OutgoingEmail
from nurture.delivery.providers.outbox import OutboxProvider


def _email(**changes: object) -> OutgoingEmail:
    fields: dict[str, object] = dict(
        message_uid="m-1",
        to="ana@acme.com",
        from_email="hello@acme.example",
        from_name="Acme Marketing",
        subject="Welcome, Ana",
        html="<p>Hello Ana</p>",
        text="Hello Ana",
        journey="welcome",
        step="welcome",
        headers={"List-Unsubscribe": "<https://acme.example/u/" + "t" * 300 + ">"},
    )
    return OutgoingEmail(**{**fields, **changes})  # type: ignore[arg-type]


def _read(folder: Path, uid: str = "m-1"):
    return message_from_bytes((folder / f"{uid}.eml").read_bytes(), policy=policy.default)


def test_non_ascii_names_subjects_and_bodies_survive_the_round_trip(tmp_path: Path) -> None:
    OutboxProvider(tmp_path).send(
        _email(from_name="Špela Čuk", subject="Dobrodošli — Ana", text="Živjo Ana", html="<p>Ž</p>")
    )
    mail = _read(tmp_path)
    assert (mail["Subject"], mail["From"]) == ("Dobrodošli — Ana", "Špela Čuk <hello@acme.example>")
    assert mail.get_body(("plain",)).get_content().strip() == "Živjo Ana"
    assert mail.get_body(("html",)).get_content().strip() == "<p>Ž</p>"
    assert mail["X-Nurture-Message-Id"] == "m-1"


def test_bodies_stay_readable_text_and_long_lines_are_encoded(tmp_path: Path) -> None:
    long_html = "<p>" + "x" * 1500 + "</p>"
    OutboxProvider(tmp_path).send(_email(html=long_html))
    raw = (tmp_path / "m-1.eml").read_bytes()
    assert b"\r\nHello Ana" in raw  # the text part as it is
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    mail = _read(tmp_path)
    assert mail.get_body(("html",)).get_content().strip() == long_html
    assert len(mail["List-Unsubscribe"]) == len("<https://acme.example/u/>") + 300


def test_sending_again_replaces_the_file(tmp_path: Path) -> None:
    outbox = OutboxProvider(tmp_path)
    outbox.send(_email(subject="First"))
    outbox.send(_email(subject="Second"))
    assert [p.name for p in tmp_path.iterdir()] == ["m-1.eml"]
    assert _read(tmp_path)["Subject"] == "Second"


def test_one_line_headers_are_written_as_the_email_package_folds_them(tmp_path: Path) -> None:
    """The shortcut past email.header.Header changes no byte of the file."""
    email = _email(subject="Welcome  to   Acme,\tAna", headers={"X-Campaign": "spring  launch"})
    OutboxProvider(tmp_path).send(email)
    raw = (tmp_path / "m-1.eml").read_bytes()
    folded = policy.compat32.clone(linesep="\r\n", max_line_length=998)
    for name, value in (("Subject", email.subject), ("X-Campaign", "spring  launch")):
        assert folded.fold_binary(name, value) in raw
    assert _read(tmp_path)["Subject"] == email.subject


def test_every_file_is_dated_by_the_engine_clock_and_identified_on_the_sender_domain(
    tmp_path: Path,
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    OutboxProvider(tmp_path, clock).send(_email(from_email="news@mail.acme.example"))
    mail = _read(tmp_path)
    assert mail["Date"] == "Mon, 02 Mar 2026 09:30:00 +0000"
    assert mail["Date"].datetime == clock.now()
    assert mail["Message-ID"] == "<m-1@mail.acme.example>"
    assert mail.defects == [] and mail["Message-ID"].defects == ()
