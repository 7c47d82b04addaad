"""Dataset loaders for prompt tasks: JSONL, CSV, JSON arrays, GSM8K, BBH and OPRO's GSM8K TSV.

Every loader returns ``Example`` records and raises ``DataError`` naming the file, the line
(or record) and the field when a record does not fit. Files are read through ``agent.data``
(one reader for every loader: BOM, CRLF, JSON errors with file and line).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.data import read_json, read_json_lines, read_text
from agent.errors import DataError
from agent.tasks.prompt._task import Example

DataFormat = Literal["jsonl", "json", "csv", "gsm8k", "bbh", "tsv"]
DATA_FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "gsm8k", "bbh", "tsv")
_GSM8K_FINAL = re.compile(r"####\s*(.+?)\s*$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Splits:
    """Explicit train, validation and test splits; test is never seen while optimizing."""

    train: tuple[Example, ...]
    val: tuple[Example, ...]
    test: tuple[Example, ...]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def gsm8k_final_answer(answer: str) -> str | None:
    """The number after ``####`` in a GSM8K answer, without thousands commas."""
    match = _GSM8K_FINAL.search(answer)
    return match.group(1).replace(",", "").strip() if match else None


def _records_jsonl(path: Path) -> Iterator[tuple[str, Any]]:
    for number, value in read_json_lines(path):
        yield f"line {number}", value


def _records_csv(path: Path) -> Iterator[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    if reader.fieldnames is None:
        raise DataError(f"{path}: the CSV file is empty; it needs a header row")
    for number, row in enumerate(reader, start=2):
        yield f"line {number}", row


def _records_tsv(path: Path) -> Iterator[tuple[str, Any]]:
    """OPRO's GSM8K TSV files: ``question<TAB>answer`` per line, no header."""
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        question, tab, answer = line.rpartition("\t")
        if not tab or not question.strip():
            raise DataError(
                f"{path}: line {number}: expected 'question<TAB>answer' (OPRO's GSM8K TSV)"
            )
        yield f"line {number}", {"question": question.strip(), "answer": answer.strip()}


def _read_json(path: Path) -> Any:
    return read_json(path)


def detect_format(path: str | Path) -> DataFormat:
    """Guess the format from the extension and, for JSON, the first record's shape."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".tsv":
        return "tsv"
    if suffix == ".json":
        text = read_text(path).lstrip()
        if text.startswith("["):
            return "json"
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "jsonl"  # JSON Lines despite the .json name
        return "bbh" if isinstance(data, dict) and "examples" in data else "json"
    if suffix in (".jsonl", ".ndjson"):
        for _, record in _records_jsonl(path):
            answer = record.get("answer") if isinstance(record, dict) else None
            if isinstance(answer, str) and "####" in answer:
                return "gsm8k"
            return "jsonl"
        return "jsonl"
    raise DataError(
        f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}; "
        f"pass --format with one of {', '.join(DATA_FORMATS)}"
    )


def _example(
    record: Any,
    where: str,
    path: Path,
    input_fields: Sequence[str],
    target_field: str,
) -> Example:
    if not isinstance(record, Mapping):
        raise DataError(f"{path}: {where} is a {type(record).__name__}, expected an object")
    missing = [name for name in (*input_fields, target_field) if name not in record]
    if missing:
        raise DataError(
            f"{path}: {where} lacks field(s) {', '.join(repr(m) for m in missing)}; it has "
            f"{', '.join(repr(k) for k in record) or 'none'} (choose with --input-field / "
            "--target-field)"
        )
    target = record[target_field]
    if target is None or (isinstance(target, str) and not target.strip()):
        raise DataError(f"{path}: {where} has an empty target field {target_field!r}")
    return Example(inputs={name: str(record[name]) for name in input_fields}, target=str(target))


def load_examples(
    path: str | Path,
    *,
    input_fields: Sequence[str] | None = None,
    target_field: str | None = None,
    format: DataFormat | None = None,
) -> list[Example]:
    """Load labelled examples from a file.

    Args:
        path: the data file.
        input_fields: record fields shown to the model; default per format (``question``
            for jsonl/json/csv/gsm8k, ``input`` for bbh).
        target_field: record field holding the answer; default ``answer`` (``target`` for
            bbh).
        format: jsonl, json (an array), csv, gsm8k (``answer`` ends in ``#### N``), bbh
            (``{"examples": [{"input", "target"}]}``) or tsv (OPRO's GSM8K files:
            ``question<TAB>answer``, no header); detected when ``None``.

    Returns:
        The examples, in file order.

    Raises:
        DataError: missing file, bad JSON/CSV, a record without a field, or no records.

    Example:
        >>> import json, pathlib, tempfile
        >>> from agent.tasks.prompt import load_examples
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "qa.jsonl").write_text(json.dumps({"question": "2+2?", "answer": "4"}))
        >>> load_examples(folder / "qa.jsonl")
        [Example(inputs={'question': '2+2?'}, target='4')]
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    fmt = format or detect_format(path)
    if fmt not in DATA_FORMATS:
        raise DataError(f"unknown data format {fmt!r}; use one of {', '.join(DATA_FORMATS)}")
    default_input, default_target = ("input", "target") if fmt == "bbh" else ("question", "answer")
    fields = tuple(input_fields or (default_input,))
    target = target_field or default_target

    records: Iterator[tuple[str, Any]]
    if fmt == "csv":
        records = _records_csv(path)
    elif fmt == "tsv":
        records = _records_tsv(path)
    elif fmt in ("jsonl", "gsm8k"):
        records = _records_jsonl(path)
    elif fmt == "bbh":
        data = _read_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
            raise DataError(f'{path}: a BBH file is an object with an "examples" list')
        records = ((f"example {i}", r) for i, r in enumerate(data["examples"], start=1))
    else:
        data = _read_json(path)
        if not isinstance(data, list):
            raise DataError(f"{path}: expected a JSON array of objects")
        records = ((f"record {i}", r) for i, r in enumerate(data, start=1))

    examples: list[Example] = []
    for where, record in records:
        example = _example(record, where, path, fields, target)
        if fmt == "gsm8k":
            final = gsm8k_final_answer(example.target)
            if final is None:
                raise DataError(
                    f"{path}: {where}: field {target!r} has no final '#### NUMBER' answer"
                )
            example = Example(inputs=example.inputs, target=final)
        examples.append(example)
    if not examples:
        raise DataError(f"{path}: no records found")
    return examples


def split_examples(
    examples: Sequence[Example],
    *,
    seed: int = 0,
    val_fraction: float = 0.25,
    test_fraction: float = 0.25,
) -> Splits:
    """Shuffle (by ``seed``) and cut into train, validation and test.

    Raises:
        DataError: fractions out of range, or too few examples for three non-empty splits.
    """
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise DataError(
            f"split fractions must be in (0, 1) and sum below 1; got val={val_fraction}, "
            f"test={test_fraction}"
        )
    if len(examples) < 3:
        raise DataError(f"need at least 3 examples to split, got {len(examples)}")
    order = list(examples)
    random.Random(seed).shuffle(order)
    n_test = max(1, round(len(order) * test_fraction))
    n_val = max(1, round(len(order) * val_fraction))
    if n_test + n_val >= len(order):
        raise DataError(f"too few examples ({len(order)}) for train, val and test splits")
    return Splits(
        train=tuple(order[n_test + n_val :]),
        val=tuple(order[n_test : n_test + n_val]),
        test=tuple(order[:n_test]),
    )


def split_by_sizes(
    examples: Sequence[Example], sizes: Sequence[int], *, seed: int = 0, source: str = "data"
) -> Splits:
    """Shuffle (by ``seed``) and take ``sizes`` = (train, val, test) examples, in that order.

    Raises:
        DataError: sizes that are not three positive integers, or more than ``source`` holds.
    """
    if len(sizes) != 3 or min(sizes) < 1:
        raise DataError(f"sizes must be three positive integers TRAIN,VAL,TEST, got {sizes!r}")
    n_train, n_val, n_test = sizes
    if n_train + n_val + n_test > len(examples):
        raise DataError(
            f"{source}: --sizes {n_train},{n_val},{n_test} asks for {n_train + n_val + n_test} "
            f"examples but the file holds {len(examples)}"
        )
    order = list(examples)
    random.Random(seed).shuffle(order)
    return Splits(
        train=tuple(order[:n_train]),
        val=tuple(order[n_train : n_train + n_val]),
        test=tuple(order[n_train + n_val : n_train + n_val + n_test]),
    )
