"""Read data files the same way everywhere (evals' benchmark loaders, the prompt task's).

Files written on Windows start with a byte-order mark and end lines with CRLF; both are
normalized here so no loader sees ``\\ufeff`` in its first key or ``\\r`` in a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.errors import DataError, RecordError


def read_text(path: str | Path) -> str:
    """The file's text: UTF-8 (a leading BOM dropped), ``\\r\\n`` and ``\\r`` turned into ``\\n``.

    Raises:
        DataError: the file is missing or not UTF-8 (naming the file and the byte offset).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_json(path: str | Path) -> Any:
    """One JSON value from a file (see ``read_text``).

    Raises:
        RecordError: not valid JSON, naming the file, the line and what is wrong.
    """
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", path=str(path), line=exc.lineno
        ) from None


def read_json_lines(path: str | Path, text: str | None = None) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a JSON Lines file.

    Raises:
        RecordError: a line that is not valid JSON, naming the file and the line.
    """
    if text is None:
        text = read_text(path)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(
                f"not valid JSON ({exc.msg}, column {exc.colno}); JSON Lines files hold one "
                "object per line",
                path=str(path),
                line=number,
            ) from None
