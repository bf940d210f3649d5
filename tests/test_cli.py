"""The ``nurture`` command as a user runs it: a subprocess in the repository root.

Each test works on a SQLite file and an outbox of its own under ``tmp_path``, migrated with
``nurture db upgrade`` (except the tests of an unmigrated database, and `validate`, which
opens none). A CLI process costs a second or two of imports, so the two long chains of
commands (events, tick and show for one contact; four demo runs) run once per module, in
background threads started with the module, and record every step for the tests to read.
Tests that need a used database work on a private copy of the story's database.

Rich writes at the width of the terminal, and at 80 columns when stdout/stderr is a pipe. The
tests run "in a wide terminal" (COLUMNS=200) unless they are about that width.
"""

from __future__ import annotations

import csv
import email
import email.policy
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NURTURE = Path(sys.executable).with_name("nurture")
# Variables that change how the CLI prints or what it runs against: never inherited.
_SCRUBBED = ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@dataclass(frozen=True)
class Cli:
    """The ``nurture`` command bound to one database file and one outbox folder."""

    home: Path
    columns: int | None = 200  # None: what a pipe gets (Rich falls back to 80 columns)

    @property
    def db(self) -> Path:
        return self.home / "nurture.db"

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("NURTURE_") and k not in _SCRUBBED
        }
        env["NURTURE_DATABASE_URL"] = f"sqlite:///{self.db}"
        env["NURTURE_OUTBOX_DIR"] = str(self.outbox)
        env["NURTURE_WORKSPACE"] = str(ROOT / "example")
        if self.columns is not None:
            env["COLUMNS"] = str(self.columns)
        return env

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NURTURE), *map(str, args)],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def narrow(self) -> Cli:
        return Cli(self.home, columns=None)

    def outbox_files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.outbox.glob("*.eml"))}

    def show(self, address: str) -> dict[str, Any]:
        result = self("contacts", "show", address, "--json")
        assert result.returncode == 0, result.stderr
        summary: dict[str, Any] = json.loads(result.stdout)
        return summary


def migrated(home: Path) -> Cli:
    """A new database migrated by ``nurture db upgrade``, and its (empty) outbox."""
    cli = Cli(home)
    result = cli("db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert f"database sqlite:///{cli.db} is at revision head" in result.stdout
    return cli


def copy_of(source: Cli, home: Path) -> Cli:
    """A private copy of ``source``'s database (with its WAL), with an empty outbox."""
    home.mkdir(parents=True, exist_ok=True)
    cli = Cli(home)
    for suffix in ("", "-wal"):
        found = source.db.with_name(source.db.name + suffix)
        if found.exists():
            shutil.copyfile(found, cli.db.with_name(cli.db.name + suffix))
    return cli


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error line of a refused command: exit 2, one line on stderr, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def parse_eml(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def contact_rows(cli: Cli) -> dict[str, dict[str, Any]]:
    """The contacts table, read directly (the CLI shows no profile fields or attributes)."""
    with sqlite3.connect(cli.db) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM contacts").fetchall()
    return {row["email"]: dict(row) for row in rows}


@pytest.fixture(scope="module", autouse=True)
def background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Any]]]:
    """Start the two long stories at once, in threads, while the short tests run: each is a
    chain of CLI processes that must run in order, but the two chains are independent."""
    here = Path(__file__)
    wanted = {
        name
        for item in request.session.items
        if item.path == here
        for name in getattr(item, "fixturenames", ())
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        started: dict[str, Future[Any]] = {}
        if "story" in wanted:
            started["story"] = pool.submit(_tell_story, tmp_path_factory.mktemp("story"))
        if "demo_runs" in wanted:
            started["demo"] = pool.submit(_run_demos, tmp_path_factory.mktemp("demo"))
        yield started


# --- 1. an unmigrated database ------------------------------------------------------------


def test_unmigrated_database_is_refused_with_one_line(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email\nana@acme.com\n", encoding="utf-8")
    result = Cli(tmp_path)("contacts", "import", people)
    line = one_line_error(result)
    assert str(tmp_path / "nurture.db") in line
    assert line.endswith("run `nurture db upgrade`")
    assert result.stdout == ""


def test_errors_stay_on_one_line_when_stderr_is_a_pipe(tmp_path: Path) -> None:
    result = Cli(tmp_path).narrow()("contacts", "show", "ana@acme.com")
    line = one_line_error(result)
    assert line.endswith("run `nurture db upgrade`")


# --- 2. contacts import --------------------------------------------------------------------

CSV_HEADER = [
    "email",
    "first_name",
    "last_name",
    "job_title",
    "company",
    "company_size",
    "industry",
    "country",
    "timezone",
    "source",
    "attributes",
]


ANA = {
    "email": "ana@acme.com",
    "first_name": "Ana",
    "last_name": "Novak",
    "job_title": "CMO",
    "company": "Acme",
    "company_size": "120",
    "industry": "software",
    "country": "SI",
    "timezone": "Europe/Ljubljana",
    "source": "search",
    "attributes": '{"plan": "pro", "seats": 3}',
}


def _csv_line(*cells: str) -> str:
    return ",".join(
        '"' + c.replace('"', '""') + '"' if re.search(r'[",\n]', c) else c for c in cells
    )


def _row(*extra: str, **cells: str) -> str:
    """A CSV record with CSV_HEADER's columns (blank unless given), then ``extra`` cells."""
    return _csv_line(*(cells.get(column, "") for column in CSV_HEADER), *extra)


def test_contacts_import_csv_and_jsonl_reports_rejected_lines(tmp_path: Path) -> None:
    cli = migrated(tmp_path)
    eva = {
        "email": "eva@zupan.example",
        "job_title": "Head of Analytics",
        "company": "Zupan\nGroup",  # a quoted cell over two lines
        "company_size": "80",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "attributes": '{"met_at": "fair"}',
    }
    people = tmp_path / "people.csv"
    records = [
        ",".join(CSV_HEADER),  # line 1
        _row(**{**ANA, "country": "si"}),  # 2
        _row(email="not-an-email", first_name="Bad"),  # 3
        _row(email="luka@acme.com", company_size="many"),  # 4
        _row(**eva),  # 5 and 6
        _row(email="maja@acme.com", timezone="Mars/Base"),  # 7
        _row(email="rok@acme.com", attributes="{plan: pro}"),  # 8
        _row("extra", email="tina@acme.com"),  # 9
        "",  # 10: a blank line is no record
        _row(email="Tim@Kos.Example", first_name="Tim"),  # 11
    ]
    people.write_text("\n".join(records) + "\n", encoding="utf-8")
    # The file really has those lines (the csv module agrees on the records).
    with people.open(newline="", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 10

    result = cli("contacts", "import", people)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip() == "3 contacts imported, 5 rejected"
    expected = {
        3: "email: ",
        4: "company_size: ",
        7: "timezone: ",
        8: "attributes: ",
        9: "more cells than the header has columns",
    }
    assert _rejections(result.stderr, people) == expected

    stream = write_jsonl(
        tmp_path / "people.jsonl",
        [
            json.dumps(
                {
                    "email": "nina@golob.example",
                    "first_name": "Nina",
                    "job_title": "VP Marketing",
                    "company_size": 250,
                    "country": "at",
                    "timezone": "Europe/Vienna",
                    "source": "referral",
                    "attributes": {"plan": "trial", "tags": ["etl", "bi"]},
                }
            ),  # 1
            "",  # 2: blank
            "{not json",  # 3
            "[1, 2]",  # 4
            json.dumps({"email": "zala@acme.com", "favourite_colour": "blue"}),  # 5
            json.dumps({"email": "jure@acme.com", "company_size": -5}),  # 6
            json.dumps({"email": "Zala@Kralj.Example", "country": "SI"}),  # 7
        ],
    )
    result = cli("contacts", "import", stream)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip() == "2 contacts imported, 4 rejected"
    assert _rejections(result.stderr, stream) == {
        3: "not valid JSON: ",
        4: "expected a JSON object per line",
        5: "favourite_colour: unknown field",
        6: "company_size: ",
    }

    # Every good row is stored, emails in lower case; no bad row is.
    ana = cli.show("ana@acme.com")
    assert (ana["email"], ana["stage"], ana["messages"]) == ("ana@acme.com", "subscriber", [])
    assert (ana["score"], ana["band"]) == (25, "warm")  # CMO 15 + 120 employees 10
    rows = contact_rows(cli)
    assert sorted(rows) == [
        "ana@acme.com",
        "eva@zupan.example",
        "nina@golob.example",
        "tim@kos.example",
        "zala@kralj.example",
    ]
    assert json.loads(rows["ana@acme.com"]["attributes"]) == {"plan": "pro", "seats": 3}
    assert (rows["ana@acme.com"]["country"], rows["ana@acme.com"]["company_size"]) == ("SI", 120)
    assert rows["eva@zupan.example"]["company"] == "Zupan\nGroup"
    assert json.loads(rows["eva@zupan.example"]["attributes"]) == {"met_at": "fair"}
    assert json.loads(rows["nina@golob.example"]["attributes"]) == {
        "plan": "trial",
        "tags": ["etl", "bi"],
    }
    nina = rows["nina@golob.example"]
    assert (nina["country"], nina["score"], nina["band"]) == ("AT", 20, "warm")  # VP, 250


def test_rejected_lines_stay_whole_when_stderr_is_a_pipe(story: Story, tmp_path: Path) -> None:
    cli = copy_of(story.cli, tmp_path).narrow()
    people = tmp_path / "people.csv"
    people.write_text("email\nnot-an-email\n", encoding="utf-8")
    result = cli("contacts", "import", people)
    assert result.returncode == 1, result.stderr
    assert _rejections(result.stderr, people) == {2: "email: "}


def _rejections(stderr: str, path: Path) -> dict[int, str]:
    """{line: reason} of the FILE:LINE: reason lines, each checked to start as expected."""
    found: dict[int, str] = {}
    pattern = re.compile(re.escape(str(path)) + r":(\d+): (.+)")
    for line in stderr.splitlines():
        if not line.strip() or line.startswith("importing "):  # the progress bar
            continue
        match = pattern.fullmatch(line)
        assert match, f"not a FILE:LINE: reason line: {line!r}"
        found[int(match[1])] = _prefix_of(match[2])
    return found


_KNOWN_PREFIXES = (
    "more cells than the header has columns",
    "expected a JSON object per line",
    "favourite_colour: unknown field",
    "not valid JSON: ",
)


def _prefix_of(reason: str) -> str:
    """The stable start of a reason: a fixed sentence, or the field it names and ': '."""
    for prefix in _KNOWN_PREFIXES:
        if reason.startswith(prefix):
            return prefix
    field_name, sep, rest = reason.partition(": ")
    assert sep and rest, reason
    return field_name + sep


# --- 3, 4, 5. events import, tick, contacts show: one contact's story ----------------------

SUBSCRIBED = {
    "id": "evt-ana-1",
    "email": "ana@acme.com",
    "type": "subscribed",
    "at": "2026-03-02T09:00:00Z",
    "properties": {"form": "newsletter"},
}
PRICING = {
    "id": "evt-ana-2",
    "email": "ana@acme.com",
    "type": "page_viewed",
    "at": "2026-03-02T10:30:00Z",
    "properties": {"url": "/pricing"},
}


@dataclass
class Story:
    cli: Cli
    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    outbox: dict[str, dict[str, bytes]] = field(default_factory=dict)
    shows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run(self, name: str, *args: str | Path) -> None:
        self.steps[name] = self.cli(*args)
        self.outbox[name] = self.cli.outbox_files()


def _tell_story(home: Path) -> Story:
    """Ana is imported, subscribes at 2026-03-02T09:00Z and views the pricing page; the
    events file is imported twice; ticks run at the welcome, just before the getting-started
    email is due, and when it is due."""
    story = Story(migrated(home))
    people = home / "people.csv"
    people.write_text(
        ",".join(CSV_HEADER) + "\n" + _row(**ANA) + "\n",
        encoding="utf-8",
    )
    events = write_jsonl(home / "events.jsonl", [json.dumps(SUBSCRIBED), json.dumps(PRICING)])
    story.run("contacts", "contacts", "import", people)
    story.run("events", "events", "import", events)
    story.run("tick-welcome", "tick", "--now", "2026-03-02T09:00:00Z")
    story.run("events-again", "events", "import", events)
    story.run("tick-early", "tick", "--now", "2026-03-04T08:59:00Z")
    story.run("tick-due", "tick", "--now", "2026-03-04T09:00:00Z")
    story.shows["final"] = story.cli.show("Ana@ACME.com")
    return story


def test_events_import_applies_events_once(story: Story) -> None:
    first, again = story.steps["events"], story.steps["events-again"]
    assert story.steps["contacts"].returncode == 0
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2 events imported, 0 rejected"

    assert again.returncode == 0, again.stderr
    assert "0 rejected" in again.stdout
    assert again.stdout.strip() == "0 events imported, 0 rejected, 2 already known"
    # Nothing changed: no points, no new enrollment (it would have sent a second welcome at
    # the next tick), no email.
    assert story.outbox["events-again"] == story.outbox["tick-welcome"]
    assert story.steps["tick-early"].stdout.strip() == "0 enrollments run, 0 emails sent"
    # subscribed made Ana a lead; /pricing added its 10 points to the 25 of fit, once.
    final = story.shows["final"]
    assert (final["stage"], final["score"], final["band"]) == ("lead", 35, "warm")
    assert [m["step"] for m in final["messages"]] == ["welcome", "getting-started"]


def test_tick_sends_each_step_when_it_is_due(story: Story) -> None:
    welcome = story.steps["tick-welcome"]
    assert welcome.returncode == 0, welcome.stderr
    assert welcome.stdout.strip() == "1 enrollments run, 1 emails sent"
    assert story.outbox["events"] == {}
    (first_name,) = story.outbox["tick-welcome"]
    first = parse_eml(story.outbox["tick-welcome"][first_name])
    _check_email(first, step="welcome", file_name=first_name)
    assert first["Subject"] == "Welcome to Acme, Ana"
    assert "Welcome, Ana!" in first.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    early = story.steps["tick-early"]
    assert early.returncode == 0, early.stderr
    assert early.stdout.strip() == "0 enrollments run, 0 emails sent"
    assert story.outbox["tick-early"] == story.outbox["tick-welcome"]

    due = story.steps["tick-due"]
    assert due.returncode == 0, due.stderr
    assert due.stdout.strip() == "1 enrollments run, 1 emails sent"
    files = story.outbox["tick-due"]
    assert files[first_name] == story.outbox["tick-welcome"][first_name]  # left as it was
    (second_name,) = set(files) - {first_name}
    _check_email(parse_eml(files[second_name]), step="getting-started", file_name=second_name)


def _check_email(message: EmailMessage, *, step: str, file_name: str) -> None:
    uid = Path(file_name).stem
    assert message["To"] == "ana@acme.com"
    assert message["X-Nurture-Journey"] == "welcome"
    assert message["X-Nurture-Step"] == step
    assert message["X-Nurture-Message-Id"] == uid
    assert message["Message-ID"] == f"<{uid}@nurture.local>"
    assert re.fullmatch(r"<http://localhost:8000/u/\S+>", message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    link = message["List-Unsubscribe"][1:-1]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert link in html
    assert link in text
    assert "Ana" in html


def test_contacts_show_json(story: Story) -> None:
    final = story.shows["final"]  # asked for as Ana@ACME.com: emails compare case-insensitively
    assert {"email", "stage", "score", "band", "messages"} <= final.keys()
    assert final["email"] == "ana@acme.com"
    assert [(m["journey"], m["step"], m["template"]) for m in final["messages"]] == [
        ("welcome", "welcome", "welcome"),
        ("welcome", "getting-started", "getting-started"),
    ]
    assert [m["sent_at"] for m in final["messages"]] == [
        "2026-03-02T09:00:00+00:00",
        "2026-03-04T09:00:00+00:00",
    ]
    subjects = {
        parse_eml(data)["X-Nurture-Step"]: parse_eml(data)["Subject"]
        for data in story.outbox["tick-due"].values()
    }
    assert {m["step"]: m["subject"] for m in final["messages"]} == subjects


def test_contacts_show_unknown_email(story: Story, tmp_path: Path) -> None:
    cli = copy_of(story.cli, tmp_path)
    line = one_line_error(cli("contacts", "show", "nobody@acme.com", "--json"))
    assert "no contact 'nobody@acme.com'" in line
    assert "nurture contacts import" in line


def test_contacts_show_text_lists_the_status(story: Story, tmp_path: Path) -> None:
    result = copy_of(story.cli, tmp_path)("contacts", "show", "ana@acme.com")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        *("ana@acme.com", "stage", "lead", "score", "35", "band", "warm"),
        *("grade", "A", "owner", "-"),
    ]
    assert "welcome/welcome  [sent]  Welcome to Acme, Ana" in lines[1]


def test_tick_refuses_a_bad_now(story: Story, tmp_path: Path) -> None:
    cli = copy_of(story.cli, tmp_path)
    line = one_line_error(cli("tick", "--now", "2026-03-04T25:00:00Z"))
    assert (
        line == "error: --now '2026-03-04T25:00:00Z': use an ISO time such as 2026-03-04T09:00:00Z"
    )
    assert cli.outbox_files() == {}


def test_tick_refuses_an_empty_now(story: Story, tmp_path: Path) -> None:
    cli = copy_of(story.cli, tmp_path)
    result = cli("tick", "--now", "")
    assert cli.outbox_files() == {}
    assert one_line_error(result).startswith("error: --now '': use an ISO time")


def test_import_of_a_missing_file_is_a_one_line_error(story: Story, tmp_path: Path) -> None:
    cli = copy_of(story.cli, tmp_path)
    missing = tmp_path / "no-such-file.csv"
    line = one_line_error(cli("contacts", "import", missing))
    assert str(missing) in line


def test_csv_rejection_names_the_line_where_the_record_starts(tmp_path: Path) -> None:
    # In-process, to spare a CLI start: the CLI prints read_records' line numbers as they are
    # (test_contacts_import_csv_and_jsonl_reports_rejected_lines shows it).
    from nurture.formats import ContactIn
    from nurture.importing import Rejected, read_records

    people = tmp_path / "multiline.csv"
    people.write_text(
        "email,company,company_size\n"  # 1
        '"eva@zupan.example","Zupan\nGroup",lots\n'  # 2-3
        "tim@kos.example,Kos,12\n",  # 4
        encoding="utf-8",
    )
    rejected = [r for _, r in read_records(people, ContactIn) if isinstance(r, Rejected)]
    assert [(r.line, r.reason.split(":")[0]) for r in rejected] == [(2, "company_size")]


@pytest.fixture(scope="module")
def story(background: dict[str, Future[Any]]) -> Story:
    story: Story = background["story"].result()
    return story


# --- 6. the demo ----------------------------------------------------------------------------

DEMO = ("demo", "--contacts", "20", "--days", "7")


@dataclass
class DemoRuns:
    cli: Cli
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    outbox: dict[str, dict[str, bytes]] = field(default_factory=dict)


def _run_demos(home: Path) -> DemoRuns:
    """On one database: the demo with seed 3, again without --reset (refused), again with
    seed 3, then with seed 4; the outbox is recorded after each run."""
    runs = DemoRuns(migrated(home))
    for name, extra in [
        ("first", ("--reset", "--seed", "3")),
        ("no-reset", ("--seed", "3")),
        ("again", ("--reset", "--seed", "3")),
        ("seed-4", ("--reset", "--seed", "4")),
    ]:
        runs.runs[name] = runs.cli(*DEMO, *extra)
        runs.outbox[name] = runs.cli.outbox_files()
    return runs


@pytest.fixture(scope="module")
def demo_runs(background: dict[str, Future[Any]]) -> DemoRuns:
    runs: DemoRuns = background["demo"].result()
    return runs


def _table_rows(stdout: str, cells: int) -> list[list[str]]:
    rows = []
    for line in stdout.splitlines():
        parts = [part.strip() for part in line.split("│")[1:-1]]
        if len(parts) == cells and parts[-1].isdigit():
            rows.append(parts)
    return rows


def test_demo_prints_summary_and_fills_outbox(demo_runs: DemoRuns) -> None:
    result, files = demo_runs.runs["first"], demo_runs.outbox["first"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    words = " ".join(result.stdout.split())
    for heading in (
        "Emails sent per journey step",
        "Contacts per lifecycle stage",
        "MQLs handed off to sales:",
        "Outbox:",
    ):
        assert heading in words, result.stdout

    sent = _table_rows(result.stdout, 3)
    assert sent, result.stdout
    assert ["welcome", "welcome", "20"] in sent  # every contact subscribes in the first week
    stages = {stage: int(n) for stage, n in _table_rows(result.stdout, 2)}
    assert sum(stages.values()) == 20
    handed = re.search(r"MQLs handed off to sales: (\d+)", result.stdout)
    assert handed
    assert int(handed[1]) == stages.get("mql", 0)

    outbox = demo_runs.cli.outbox.resolve()
    assert f"Outbox: {len(files)} .eml files in {outbox}" in result.stdout.splitlines()
    assert files
    steps = Counter(
        (msg["X-Nurture-Journey"], msg["X-Nurture-Step"]) for msg in map(parse_eml, files.values())
    )
    # Besides journey emails, each MQL's owner is told by email (handoff notify.email_owner),
    # and so is the next rep when an SLA breach reassigns it.
    assert steps.pop(("handoff", "notification"), 0) >= int(handed[1])
    assert steps == Counter({(journey, step): int(n) for journey, step, n in sent})
    for name, data in files.items():
        assert parse_eml(data)["X-Nurture-Message-Id"] == Path(name).stem


def test_demo_headings_are_printed_whole(demo_runs: DemoRuns) -> None:
    lines = [line.strip() for line in demo_runs.runs["first"].stdout.splitlines()]
    assert "Emails sent per journey step" in lines
    assert "Contacts per lifecycle stage" in lines


def test_demo_same_seed_same_run(demo_runs: DemoRuns) -> None:
    first, again = demo_runs.runs["first"], demo_runs.runs["again"]
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert sorted(demo_runs.outbox["again"]) == sorted(demo_runs.outbox["first"])
    assert demo_runs.outbox["again"] == demo_runs.outbox["first"]  # byte for byte


def test_demo_other_seed_other_run(demo_runs: DemoRuns) -> None:
    other = demo_runs.runs["seed-4"]
    assert other.returncode == 0, other.stderr
    assert other.stdout != demo_runs.runs["first"].stdout
    assert demo_runs.outbox["seed-4"] != demo_runs.outbox["first"]
    # --reset emptied the outbox: only this run's emails are left.
    sent = sum(int(n) for _journey, _step, n in _table_rows(other.stdout, 3))
    assert sent == len(demo_runs.outbox["seed-4"])
    assert sent != len(demo_runs.outbox["first"])


def test_demo_without_reset_on_a_used_database(demo_runs: DemoRuns) -> None:
    line = one_line_error(demo_runs.runs["no-reset"])
    assert "--reset" in line
    assert "already holds contacts" in line
    assert demo_runs.outbox["no-reset"] == demo_runs.outbox["first"]


# --- 7. validate ----------------------------------------------------------------------------


def test_validate_example_workspace(tmp_path: Path) -> None:
    result = Cli(tmp_path)("validate", "example/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok: example"


def test_validate_finds_templates_beside_the_journeys_from_anywhere(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    elsewhere = subprocess.run(
        [str(NURTURE), "validate", "--workspace", str(ROOT / "example")],
        cwd=tmp_path,
        env={k: v for k, v in cli.env().items() if k != "NURTURE_WORKSPACE"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr
    assert elsewhere.stdout.strip() == f"ok: {ROOT / 'example'}"


def _position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column where ``needle`` starts in ``text``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not found")


def test_validate_reports_path_line_col(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "example", workspace)
    welcome = workspace / "welcome.yaml"
    text = welcome.read_text(encoding="utf-8")
    assert "template: case-study}" in text
    text = text.replace("template: case-study}", "template: case-studdy}")
    welcome.write_text(text, encoding="utf-8")
    typo_at = _position(text, "case-studdy")
    extra = workspace / "onboarding.yaml"
    extra_text = (
        "id: onboarding\n"
        "name: Onboarding\n"
        "entry:\n"
        "  stages: [lead]\n"
        "steps:\n"
        "  - {id: hello, type: send, template: welcome}\n"
        "  - {id: pause, type: wait, duration: 2 fortnights}\n"
    )
    extra.write_text(extra_text, encoding="utf-8")
    duration_at = _position(extra_text, "2 fortnights")
    assert duration_at == (7, 39)

    result = Cli(tmp_path)("validate", workspace)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ok:" not in result.stdout
    problems = {}
    for line in result.stdout.splitlines():
        match = re.fullmatch(r"(.+?):(\d+):(\d+): (.+)", line)
        assert match, f"not a path:line:col: message line: {line!r}"
        problems[(Path(match[1]), int(match[2]), int(match[3]))] = match[4]
    assert problems.keys() == {(welcome, *typo_at), (extra, *duration_at)}
    assert "case-studdy" in problems[(welcome, *typo_at)]
    assert "2 fortnights" in problems[(extra, *duration_at)]


def test_validate_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = Cli(tmp_path)("validate", "example/welcom.yaml")
    assert result.returncode == 1
    assert "example/welcom.yaml" in result.stdout + result.stderr
