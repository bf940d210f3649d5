"""`nurture contacts|events import` with hostile files: each bad line named, the good ones kept.

A fuzz suite (hypothesis, bounded) writes CSV and JSONL files of good and bad lines: the
command never shows a traceback, exits 0 or 1, accounts for every data line, and the store
stays consistent after each file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nurture.cli import app
from nurture.store.db import make_engine
from nurture.store.migrate import upgrade

ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
"""The clock runs a billion times slower than real time: still NOW, to a few seconds."""
SUMMARY = re.compile(r"^(\d+) (contacts|events) imported, (\d+) rejected")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('import') / 'nurture.db'}"
    upgrade(url)
    return url


@pytest.fixture
def cli(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "NURTURE_DATABASE_URL": store,
        "NURTURE_OUTBOX_DIR": str(tmp_path / "outbox"),
        "NURTURE_WORKSPACE": str(ROOT / "example"),
        "NURTURE_CLOCK_START": NOW.isoformat(),
        "NURTURE_CLOCK_EPOCH": "0",
        "NURTURE_CLOCK_SPEED": "0.000000001",  # the clock stays at NOW for the whole test
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args), catch_exceptions=True)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        return result

    return invoke


def _summary(result) -> tuple[int, int]:
    match = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    return int(match[1]), int(match[3])


def test_an_events_file_keeps_its_good_lines_and_names_each_bad_one(
    cli, store: str, tmp_path: Path, store_consistency
) -> None:
    lines = [
        {"email": "ana@acme.com", "type": "page_viewed", "at": "2026-03-01T10:00:00Z"},  # 1
        {"email": "ana@acme.com", "type": "page_viewed", "at": "9999-12-31T23:59:59Z"},  # 2
        {"email": "ana@acme.com", "type": "page_viewed", "at": "0001-01-01T00:00:00+14:00"},
        {"email": "bo@acme.com", "type": "page_viewed", "properties": {"n": float("nan")}},  # 4
        {"email": "a,victim@x.example", "type": "subscribed"},  # 5
        {"email": "cy@acme.com", "type": "page_viewed", "at": "2026-03-05T00:00:00Z"},  # 6
        {"email": "bo@acme.com", "type": "content_downloaded", "at": "2026-03-02T07:00"},  # 7
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = cli("events", "import", str(path))
    assert result.exit_code == 1
    assert _summary(result) == (2, 5)
    problems = {
        int(line.split(":")[1]): line.split(":", 2)[2].strip()
        for line in result.stderr.splitlines()
        if line.startswith(str(path))
    }
    assert sorted(problems) == [2, 3, 4, 5, 6]
    assert problems[2].startswith("at: 9999-12-31T23:59:59+00:00 is too late")
    assert problems[3] == "at: 0001-01-01T00:00:00+14:00 has no equivalent in UTC"
    assert "properties: n: nan is not a number JSON allows" in problems[4]
    assert "email: 'a,victim@x.example' is not a valid address" in problems[5]
    assert "ahead of the clock" in problems[6]
    assert "Traceback" not in result.output
    assert store_consistency(make_engine(store), LATER) == []


GOOD_EMAILS = st.sampled_from(["ana@acme.com", "Bo@Globex.example", "cy@initech.example"])
EMAILS = st.one_of(
    GOOD_EMAILS,
    GOOD_EMAILS,
    st.sampled_from(["a,b@x.example", "a\x00@x.example", "x@<b>.example", "", "no-at"]),
    st.text(max_size=20),
)
TIMES = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 3, 2, 7)).map(
        datetime.isoformat
    ),
    st.datetimes().map(lambda d: d.isoformat() + "+14:00"),
    st.sampled_from(["9999-12-31T23:59:59Z", "1999-01-01T00:00:00Z", "2026-03-09T00:00:00Z"]),
    st.text(max_size=10),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
EVENT_ROWS = st.fixed_dictionaries(
    {"email": EMAILS, "type": st.sampled_from(["page_viewed", "email_clicked", "Bad", ""])},
    optional={
        "at": TIMES,
        "id": st.text(max_size=12),
        "properties": st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=3),
    },
)
CONTACT_ROWS = st.fixed_dictionaries(
    {"email": EMAILS},
    optional={
        "first_name": st.text(max_size=250),
        "company_size": st.one_of(st.integers(), st.text(max_size=5), st.floats()),
        "country": st.text(max_size=3),
        "timezone": st.sampled_from(["Europe/Ljubljana", "Mars/Base", "../../etc/passwd", ""]),
        "attributes": st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=3),
    },
)


GOOD_EVENT_ROWS = st.fixed_dictionaries(
    {
        "email": GOOD_EMAILS,
        "type": st.sampled_from(["page_viewed", "email_clicked", "webinar_attended"]),
        "at": st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 3, 2, 7)).map(
            datetime.isoformat
        ),
    },
    optional={"properties": st.fixed_dictionaries({"url": st.sampled_from(["/pricing", "/"])})},
)
GOOD_CONTACT_ROWS = st.fixed_dictionaries(
    {"email": GOOD_EMAILS},
    optional={
        "first_name": st.text(st.characters(categories=["L"]), max_size=20),
        "company_size": st.integers(min_value=0, max_value=10**6),
        "timezone": st.just("Europe/Ljubljana"),
    },
)


def _csv(rows: list[dict]) -> str:
    columns = sorted({key for row in rows for key in row}) or ["email"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[c]) if isinstance(row.get(c), dict) else row.get(c, "")
                for c in columns
            ]
        )
    return out.getvalue()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["events", "contacts"]),
    suffix=st.sampled_from(["jsonl", "csv"]),
    data=st.data(),
    garbage=st.lists(st.text(max_size=30), max_size=2),
)
def test_any_import_file_is_accounted_for_line_by_line(
    cli, store: str, tmp_path: Path, store_consistency, kind, suffix, data, garbage
) -> None:
    good, any_row = (
        (GOOD_EVENT_ROWS, EVENT_ROWS) if kind == "events" else (GOOD_CONTACT_ROWS, CONTACT_ROWS)
    )
    rows = data.draw(st.lists(st.one_of(good, good, any_row), max_size=6))
    path = tmp_path / f"{kind}.{suffix}"
    if suffix == "jsonl":
        text = "\n".join([json.dumps(row) for row in rows] + garbage) + "\n"
    else:
        text = _csv(rows) + "".join(line.replace("\n", " ") + "\n" for line in garbage)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    result = cli(kind, "import", str(path))
    assert result.exit_code in (0, 1)
    imported, rejected = _summary(result)
    named = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(named) == rejected
    assert (result.exit_code == 1) == (rejected > 0)
    assert imported <= len(rows) + len(garbage)
    event(f"{kind} {suffix}: {'some' if imported else 'none'} imported")
    assert store_consistency(make_engine(store), LATER) == []
