"""Read a JSON array, a JSON object or JSON Lines file into records that know their line.

Benchmark files are not named consistently (IndustryOR ships JSON Lines as ``.json``), so the
container is read from the content, never from the extension.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.data import read_json_lines, read_text
from agent.errors import DataError, RecordError

Container = Literal["array", "object", "lines"]


@dataclass(frozen=True, slots=True)
class Record:
    """One JSON value of a file and the 1-based line where it starts."""

    line: int
    data: Any


@dataclass(frozen=True, slots=True)
class Records:
    """What a file holds: its container kind and the records in file order.

    For ``object`` (a single top-level JSON object) ``items`` holds that one object.
    """

    container: Container
    items: tuple[Record, ...]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _array(text: str, path: Path) -> list[Record]:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path=str(path), line=exc.lineno
        ) from None
    decoder = json.JSONDecoder()
    records: list[Record] = []
    pos = _skip_space(text, text.index("[") + 1)
    line, counted = 1, 0
    while pos < len(text) and text[pos] != "]":
        line += text.count("\n", counted, pos)
        counted = pos
        value, end = decoder.raw_decode(text, pos)
        records.append(Record(line, value))
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return records


def _lines(text: str, path: Path) -> list[Record]:
    return [Record(number, value) for number, value in read_json_lines(path, text)]


def read_records(path: str | Path) -> Records:
    """Read a JSON array, one JSON object, or JSON Lines (whatever the file's extension).

    The text comes from ``agent.data.read_text`` (BOM dropped, CRLF normalized).

    Raises:
        DataError: the file is missing, empty or not JSON (naming the line).
    """
    path = Path(path)
    text = read_text(path)
    start = text.lstrip()[:1]
    if not start:
        raise DataError(f"{path}: the file is empty")
    if start == "[":
        return Records("array", tuple(_array(text, path)))
    if start != "{":
        raise RecordError(
            "not JSON: a dataset file holds a JSON array, a JSON object or JSON Lines",
            path=str(path),
            line=1,
        )
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return Records("lines", tuple(_lines(text, path)))
    line = text[: len(text) - len(text.lstrip())].count("\n") + 1
    return Records("object", (Record(line, whole),))
