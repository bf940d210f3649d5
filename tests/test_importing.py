import json
from pathlib import Path

import pytest

from nurture.errors import InputError
from nurture.formats import ContactIn, EventIn
from nurture.importing import Rejected, file_format, read_records


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rejected(results: list) -> dict[int, str]:
    return {line: r.reason for line, r in results if isinstance(r, Rejected)}


def accepted(results: list) -> dict[int, str]:
    return {line: r.email for line, r in results if not isinstance(r, Rejected)}


# --- JSONL ----------------------------------------------------------------------------


def test_jsonl_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "contacts.jsonl",
        '{"email": "ana@acme.com"}\n\n   \n{"email": "not-an-email"}\n{"email": "bo@acme.com"}\n',
    )
    results = list(read_records(path, ContactIn))
    assert accepted(results) == {1: "ana@acme.com", 5: "bo@acme.com"}
    assert list(rejected(results)) == [4]


def test_jsonl_bad_json(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", '{"email": "ana@acme.com"}\n{"email": \n')
    assert rejected(list(read_records(path, ContactIn))) == {
        2: "not valid JSON: Expecting value: line 1 column 10 (char 9)"
    }


@pytest.mark.parametrize("line", ['["ana@acme.com"]', '"ana@acme.com"', "42", "null"])
def test_jsonl_line_must_be_an_object(tmp_path: Path, line: str) -> None:
    path = write(tmp_path / "c.jsonl", line + "\n")
    assert rejected(list(read_records(path, ContactIn))) == {1: "expected a JSON object per line"}


def test_jsonl_invalid_record_reason_names_the_field(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", '{"email": "ana@acme.com", "company_size": -3}\n')
    reason = rejected(list(read_records(path, ContactIn)))[1]
    assert reason == "company_size: Input should be greater than or equal to 0"


def test_jsonl_unknown_field_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", '{"email": "ana@acme.com", "colour": "teal"}\n')
    assert rejected(list(read_records(path, ContactIn))) == {1: "colour: unknown field"}


def test_jsonl_reports_every_bad_field(tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", '{"email": "x", "type": "Bad Type"}\n')
    reason = rejected(list(read_records(path, EventIn)))[1]
    assert reason.startswith("email: ")
    assert "; type: " in reason


def test_jsonl_undecodable_line_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"email": "\xff@acme.com"}\n{"email": "bo@acme.com"}\n')
    results = list(read_records(path, ContactIn))
    assert accepted(results) == {2: "bo@acme.com"}
    assert rejected(results)[1].startswith("not valid JSON: ")


def test_jsonl_events(tmp_path: Path) -> None:
    event = {"id": "e1", "email": "ana@acme.com", "type": "page_viewed"}
    path = write(tmp_path / "events.ndjson", json.dumps(event | {"properties": {"url": "/"}}))
    ((line, record),) = list(read_records(path, EventIn))
    assert line == 1
    assert isinstance(record, EventIn)
    assert record.properties == {"url": "/"}


# --- CSV ------------------------------------------------------------------------------


def test_csv_header_is_line_one(tmp_path: Path) -> None:
    path = write(
        tmp_path / "contacts.csv",
        "email,first_name,company_size\nana@acme.com,Ana,50\n\nbad,Bo,\ncy@acme.com,,-1\n",
    )
    results = list(read_records(path, ContactIn))
    assert accepted(results) == {2: "ana@acme.com"}
    assert list(rejected(results)) == [4, 5]
    assert rejected(results)[4].startswith("email: ")
    assert rejected(results)[5].startswith("company_size: ")


def test_csv_empty_cells_are_absent(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "email,first_name,country\nana@acme.com,,\n")
    ((_, record),) = list(read_records(path, ContactIn))
    assert isinstance(record, ContactIn)
    assert (record.first_name, record.country) == (None, None)


def test_csv_attributes_cell_is_json(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.csv",
        'email,attributes\nana@acme.com,"{""plan"": ""pro"", ""seats"": 3}"\n',
    )
    ((_, record),) = list(read_records(path, ContactIn))
    assert isinstance(record, ContactIn)
    assert record.attributes == {"plan": "pro", "seats": 3}


def test_csv_attributes_cell_that_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "email,attributes\nana@acme.com,plan=pro\n")
    reason = rejected(list(read_records(path, ContactIn)))[2]
    assert reason.startswith("attributes: not a JSON object: ")


def test_csv_attributes_cell_that_is_json_but_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", 'email,attributes\nana@acme.com,"[1, 2]"\n')
    reason = rejected(list(read_records(path, ContactIn)))[2]
    assert reason.startswith("attributes: ")


def test_csv_too_many_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "email,company\nana@acme.com,Acme,extra\nbo@acme.com,B\n")
    results = list(read_records(path, ContactIn))
    assert rejected(results) == {2: "more cells than the header has columns"}
    assert accepted(results) == {3: "bo@acme.com"}


def test_csv_unknown_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "email,colour\nana@acme.com,teal\n")
    assert rejected(list(read_records(path, ContactIn))) == {2: "colour: unknown field"}


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("email,first_name\r\nana@acme.com,Ana\r\n".encode("utf-8-sig"))
    assert accepted(list(read_records(path, ContactIn))) == {2: "ana@acme.com"}


def test_csv_events_with_properties(tmp_path: Path) -> None:
    path = write(
        tmp_path / "events.csv",
        'email,type,at,properties\nana@acme.com,page_viewed,2026-03-02T10:00:00Z,"{""url"": ""/""}"\n',
    )
    ((_, record),) = list(read_records(path, EventIn))
    assert isinstance(record, EventIn)
    assert record.properties == {"url": "/"}


# --- file types and progress ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.jsonl", "jsonl"), ("a.NDJSON", "jsonl"), ("a.json", "jsonl"), ("a.CSV", "csv")],
)
def test_file_format_by_suffix(name: str, kind: str) -> None:
    assert file_format(Path(name)) == kind


@pytest.mark.parametrize("name", ["contacts.xlsx", "contacts", "contacts.csv.gz"])
def test_unknown_suffix_is_an_input_error(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "email\nana@acme.com\n")
    with pytest.raises(InputError, match=r"use \.jsonl or \.csv"):
        list(read_records(path, ContactIn))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.jsonl", '{"email": "ana@acme.com"}\n\n{bad\n{"email": "bo@acme.com"}'),
        ("c.csv", 'email,attributes\r\nana@acme.com,"{}"\r\n\r\nbo@acme.com,x,y\r\n'),
    ],
)
def test_on_bytes_sums_to_the_file_size(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path / name, text)
    seen: list[int] = []
    list(read_records(path, ContactIn, seen.append))
    assert len(seen) > 1
    assert sum(seen) == path.stat().st_size
