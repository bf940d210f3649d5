"""Stream contacts and events from JSONL or CSV files, one validated record at a time.

Files are read line by line (never whole), so an import of millions of rows runs in constant
memory; every rejected line is reported with its number and the reason, and nothing valid
is lost because of a bad neighbour.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pydantic import BaseModel, ValidationError

from nurture.errors import InputError, plain_message

RecordT = TypeVar("RecordT", bound=BaseModel)
_NESTED = {"attributes", "properties"}


@dataclass
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    accepted: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise InputError(f"{path}: unknown file type {suffix!r}: use .jsonl or .csv")


def read_records(
    path: Path,
    model: type[RecordT],
    on_bytes: Callable[[int], None] = lambda _: None,
    check: Callable[[RecordT], str | None] = lambda _: None,
) -> Iterator[tuple[int, RecordT | Rejected]]:
    """Yield (line number, record or the reason it was rejected) for each data line.

    ``check`` judges what the format alone cannot (an event's time against the clock).
    """
    kind = file_format(path)
    with path.open("rb") as raw:
        rows = _jsonl_rows(raw, on_bytes) if kind == "jsonl" else _csv_rows(raw, on_bytes)
        for line, row in rows:
            if isinstance(row, Rejected):
                yield line, row
                continue
            try:
                record = model.model_validate(row)
            except ValidationError as exc:
                yield line, Rejected(line, _reason(exc))
                continue
            problem = check(record)
            yield line, record if problem is None else Rejected(line, problem)


def _jsonl_rows(
    raw: BinaryIO, on_bytes: Callable[[int], None]
) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    for number, data in enumerate(raw, start=1):
        on_bytes(len(data))
        text = data.strip()
        if not text:
            continue
        try:
            row = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield number, Rejected(number, f"not valid JSON: {exc}")
            continue
        except RecursionError:
            yield number, Rejected(number, "not valid JSON: nested too deeply")
            continue
        if not isinstance(row, dict):
            yield number, Rejected(number, "expected a JSON object per line")
            continue
        yield number, row


def _csv_rows(
    raw: BinaryIO, on_bytes: Callable[[int], None]
) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    def lines() -> Iterator[str]:
        for data in raw:
            on_bytes(len(data))
            yield data.decode("utf-8-sig", errors="replace")

    reader = csv.reader(lines())
    header = next(reader, None)
    if header is None:
        return
    while True:
        number = reader.line_num + 1  # where the record starts, even if a cell spans lines
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            yield number, Rejected(number, f"not valid CSV: {exc}")
            continue
        if cells is None:
            return
        if not cells:
            continue
        if len(cells) > len(header):
            yield number, Rejected(number, "more cells than the header has columns")
            continue
        cleaned: dict[str, Any] = {k: v for k, v in zip(header, cells, strict=False) if v != ""}
        try:
            for key in sorted(_NESTED & cleaned.keys()):
                cleaned[key] = json.loads(cleaned[key])
        except (json.JSONDecodeError, RecursionError) as exc:
            yield number, Rejected(number, f"{key}: not a JSON object: {exc}")
            continue
        yield number, cleaned


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field_name = ".".join(str(p) for p in error["loc"]) or "line"
        message = "unknown field" if error["type"] == "extra_forbidden" else plain_message(error)
        parts.append(f"{field_name}: {message}")
    return "; ".join(parts)
