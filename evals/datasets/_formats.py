"""The public optimization-benchmark formats: detection and one loader per format.

| format    | shape                                                            | item id   |
| --------- | ---------------------------------------------------------------- | --------- |
| optibench | JSON array of ``question``, ``index``, ``type``, ``results``     | ``index`` |
| jsonl     | ``question``, ``answer`` (number or numeric string), ``index``   | ``index`` |
| mamo      | ``id``, ``Question``, ``Answer``, ``Category``, ``Type``         | ``id``    |
| orlm      | ``en_question``, ``en_answer`` ("No Best Solution": infeasible)  | ``id``    |
| nlp4lp    | folder(s) with description.txt, solution.json (``objective``)    | folder    |
| bbh       | ``{"examples": [{"input", "target"}]}`` (prompt benchmark)       | -         |
| gsm8k     | ``question``, ``answer`` ending in ``#### N`` (prompt benchmark) | -         |
| gsm8k_tsv | OPRO's GSM8K TSV: question TAB answer, no header (prompt)        | -         |

Record formats read a JSON array or JSON Lines alike (the container comes from the content,
not the extension). Without an id field the item id is the record's line number. Every file
is read through ``agent.data`` (one reader: BOM, CRLF, JSON errors with file and line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.data import read_json, read_text
from agent.errors import DataError, RecordError
from evals.datasets._item import EvalItem, Gold, GoldStatus
from evals.datasets._labels import label_status, parse_label, parse_number
from evals.datasets._records import Record, read_records

if TYPE_CHECKING:
    from agent.tasks.prompt import Example

FORMATS: tuple[str, ...] = (
    "optibench",
    "jsonl",
    "mamo",
    "orlm",
    "nlp4lp",
    "bbh",
    "gsm8k",
    "gsm8k_tsv",
)
PROMPT_FORMATS: tuple[str, ...] = ("bbh", "gsm8k", "gsm8k_tsv")
_NLP4LP_FILES = ("description.txt", "solution.json")
_LABEL_HINT = "write the optimal objective value as a number, or 'No Best Solution' if infeasible"


def is_prompt_format(fmt: str) -> bool:
    """Whether ``fmt`` is a prompt benchmark (BBH, GSM8K) rather than an optimization one."""
    return fmt in PROMPT_FORMATS


def _shape(data: Any) -> str | None:
    """The format a record's keys announce, or None."""
    if not isinstance(data, Mapping):
        return None
    if "en_question" in data:
        return "orlm"
    if "Question" in data and "Answer" in data:
        return "mamo"
    if "question" in data and "results" in data:
        return "optibench"
    if "question" in data and "answer" in data:
        answer = data["answer"]
        return "gsm8k" if isinstance(answer, str) and "####" in answer else "jsonl"
    if "examples" in data:
        return "bbh"
    return None


def _is_problem_folder(path: Path) -> bool:
    return (path / "description.txt").is_file()


def _problem_folders(path: Path) -> list[Path]:
    if _is_problem_folder(path):
        return [path]
    folders = [p for p in path.iterdir() if p.is_dir() and _is_problem_folder(p)]
    return sorted(folders, key=_natural)


def _natural(path: Path) -> tuple[int, int, str]:
    name = path.name
    return (0, int(name), name) if name.isdigit() else (1, 0, name)


def detect_format(path: str | Path) -> str:
    """Tell a benchmark file's (or folder's) format from its content.

    Args:
        path: a data file, an NLP4LP problem folder or a folder of them.

    Returns:
        One of ``FORMATS``.

    Raises:
        DataError: missing path, unreadable JSON, or a shape no loader knows (the message
            names the file, the line and the fields found).
    """
    path = Path(path)
    if path.is_dir():
        if _problem_folders(path):
            return "nlp4lp"
        raise DataError(
            f"{path}: a folder is read as NLP4LP, but neither it nor a subfolder holds a "
            "description.txt; pass a data file or an NLP4LP problem folder"
        )
    if _is_tsv(read_text(path)):
        return "gsm8k_tsv"
    records = read_records(path)
    if not records.items:
        raise DataError(f"{path}: no records found")
    first = records.items[0]
    fmt = _shape(first.data)
    if fmt == "bbh" and records.container != "object":
        fmt = None
    if fmt is None:
        found = (
            ", ".join(repr(k) for k in first.data)
            if isinstance(first.data, Mapping)
            else f"a JSON {type(first.data).__name__}"
        )
        raise RecordError(
            f"unknown dataset shape: the first record has {found or 'no fields'}; expected "
            "OptiBench (question, results), JSONL (question, answer), MAMO (Question, Answer), "
            "ORLM (en_question, en_answer), BBH ({examples: [...]}) or GSM8K (answer ending in "
            "'#### N'); pass format= to force one",
            path=str(path),
            line=first.line,
        )
    return fmt


def _is_tsv(text: str) -> bool:
    """OPRO's GSM8K TSV: not JSON, and every non-blank line is ``question<TAB>answer``."""
    stripped = text.lstrip()
    if not stripped or stripped[0] in "[{":
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    return all("\t" in line for line in lines)


def _require(record: Record, name: str, path: Path) -> Any:
    data = record.data
    if not isinstance(data, Mapping):
        raise RecordError(
            f"expected a JSON object, got a JSON {type(data).__name__}",
            path=str(path),
            line=record.line,
        )
    if name not in data:
        fields = ", ".join(repr(k) for k in data) or "none"
        raise RecordError(
            f"required field is missing (the record has {fields})",
            path=str(path),
            line=record.line,
            field=name,
        )
    return data[name]


def _text(record: Record, name: str, path: Path) -> str:
    value = _require(record, name, path)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(
            "expected a non-empty problem text", path=str(path), line=record.line, field=name
        )
    return value


def _gold(record: Record, name: str, path: Path) -> Gold:
    value = _require(record, name, path)
    try:
        return parse_label(value)
    except ValueError as exc:
        raise RecordError(
            f"{exc}; {_LABEL_HINT}", path=str(path), line=record.line, field=name
        ) from None


def _item_id(record: Record, keys: Sequence[str]) -> str:
    data = record.data
    for key in keys:
        value = data.get(key)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    return str(record.line)


def _meta(data: Mapping[str, Any], used: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in used}


def _optibench_gold(record: Record, path: Path) -> Gold:
    results = _require(record, "results", path)
    if not isinstance(results, Mapping) or not results:
        raise RecordError(
            "expected a non-empty object of named values, e.g. {'The maximum profit': '1500'}",
            path=str(path),
            line=record.line,
            field="results",
        )
    statuses = {label_status(v) for v in results.values()} - {None}
    if statuses:
        status: GoldStatus = "unbounded" if statuses == {"unbounded"} else "infeasible"
        return Gold(status=status, raw=dict(results))
    named: dict[str, float] = {}
    for name, value in results.items():
        try:
            named[str(name)] = parse_number(value)
        except ValueError as exc:
            raise RecordError(
                f"{exc}; {_LABEL_HINT}",
                path=str(path),
                line=record.line,
                field=f"results.{name}",
            ) from None
    # No name pattern picks the objective: every named value is scored, and the answer's
    # formulation says which of its named results is the objective.
    return Gold(named=named, raw=dict(results), formulation=_formulation(record, path))


def _formulation(record: Record, path: Path) -> Mapping[str, Any] | None:
    """A synthetic row's ground-truth formulation (for an oracle replay), else None."""
    formulation = record.data.get("formulation")
    if formulation is not None and not isinstance(formulation, Mapping):
        raise RecordError(
            "expected a formulation object (solvers' five elements)",
            path=str(path),
            line=record.line,
            field="formulation",
        )
    return formulation


def _optibench(record: Record, path: Path) -> EvalItem:
    data = record.data
    question = _text(record, "question", path)
    gold = _optibench_gold(record, path)
    return EvalItem(
        id=_item_id(record, ("index", "id")),
        question=question,
        gold=gold,
        category=str(data.get("type") or ""),
        source=str(path),
        meta=_meta(data, ("question", "results", "index", "id", "type", "formulation")),
    )


def _jsonl(record: Record, path: Path) -> EvalItem:
    question = _text(record, "question", path)
    gold = _gold(record, "answer", path)
    data = record.data
    formulation = _formulation(record, path)
    if formulation is not None:
        gold = Gold(
            status=gold.status, objective=gold.objective, raw=gold.raw, formulation=formulation
        )
    return EvalItem(
        id=_item_id(record, ("index", "id")),
        question=question,
        gold=gold,
        category=str(data.get("type") or data.get("ori") or ""),
        source=str(path),
        meta=_meta(data, ("question", "answer", "index", "id", "type", "formulation")),
    )


def _mamo(record: Record, path: Path) -> EvalItem:
    question = _text(record, "Question", path)
    gold = _gold(record, "Answer", path)
    data = record.data
    return EvalItem(
        id=_item_id(record, ("id",)),
        question=question,
        gold=gold,
        category=str(data.get("Type") or data.get("Category") or ""),
        source=str(path),
        meta=_meta(data, ("Question", "Answer", "id", "Type")),
    )


def _orlm(record: Record, path: Path) -> EvalItem:
    question = _text(record, "en_question", path)
    gold = _gold(record, "en_answer", path)
    data = record.data
    return EvalItem(
        id=_item_id(record, ("id", "index")),
        question=question,
        gold=gold,
        category=str(data.get("difficulty") or data.get("type") or ""),
        source=str(path),
        meta=_meta(data, ("en_question", "en_answer", "id", "index", "difficulty")),
    )


_RECORD_LOADERS: dict[str, Callable[[Record, Path], EvalItem]] = {
    "optibench": _optibench,
    "jsonl": _jsonl,
    "mamo": _mamo,
    "orlm": _orlm,
}


def _nlp4lp_item(folder: Path) -> EvalItem:
    for name in _NLP4LP_FILES:
        if not (folder / name).is_file():
            raise DataError(f"{folder}: an NLP4LP problem folder needs {name}; it is missing")
    question = read_text(folder / "description.txt")
    if not question.strip():
        raise RecordError("the problem text is empty", path=str(folder / "description.txt"))
    solution_path = folder / "solution.json"
    solution = read_json(solution_path)
    if not isinstance(solution, Mapping) or "objective" not in solution:
        raise RecordError(
            "required field is missing; write the optimal objective value",
            path=str(solution_path),
            line=1,
            field="objective",
        )
    try:
        gold = parse_label(solution["objective"])
    except ValueError as exc:
        raise RecordError(
            f"{exc}; {_LABEL_HINT}", path=str(solution_path), line=1, field="objective"
        ) from None
    gold = Gold(status=gold.status, objective=gold.objective, raw=dict(solution))
    meta: dict[str, Any] = {"folder": folder.name}
    parameters = folder / "parameters.json"
    if parameters.is_file():
        meta["parameters"] = read_json(parameters)
    return EvalItem(id=folder.name, question=question, gold=gold, source=str(folder), meta=meta)


def _check_unique(items: Sequence[EvalItem], where: Sequence[str], path: Path) -> None:
    seen: dict[str, str] = {}
    for item, place in zip(items, where, strict=True):
        if item.id in seen:
            raise DataError(
                f"{path}: duplicate item id {item.id!r} at {seen[item.id]} and {place}; "
                "ids must be unique (runs resume by id)"
            )
        seen[item.id] = place


def load_items(path: str | Path, *, format: str | None = None) -> list[EvalItem]:
    """Load an optimization benchmark as ``EvalItem`` records, in file order.

    Args:
        path: a data file, an NLP4LP problem folder or a folder of them.
        format: one of ``FORMATS``; detected from the content when None.

    Returns:
        The items; ids are unique.

    Raises:
        DataError: unknown format or shape, a prompt-benchmark format (use
            ``load_prompt_examples``), or a bad record; a ``RecordError`` names the file, the
            line and the field.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"dataset not found: {path}")
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise DataError(f"unknown dataset format {fmt!r}; use one of {', '.join(FORMATS)}")
    if is_prompt_format(fmt):
        raise DataError(
            f"{path}: {fmt} is a prompt benchmark, not an optimization one; load it with "
            "evals.datasets.load_prompt_examples"
        )
    if fmt == "nlp4lp":
        if not path.is_dir():
            raise DataError(f"{path}: NLP4LP data is a folder of problem folders, not a file")
        folders = _problem_folders(path)
        if not folders:
            raise DataError(f"{path}: no NLP4LP problem folder (with description.txt) found")
        items = [_nlp4lp_item(folder) for folder in folders]
        _check_unique(items, [str(f) for f in folders], path)
        return items
    if path.is_dir():
        raise DataError(f"{path}: the {fmt} format is a file, but this is a folder")
    records = read_records(path)
    loader = _RECORD_LOADERS[fmt]
    items = [loader(record, path) for record in records.items]
    if not items:
        raise DataError(f"{path}: no records found")
    _check_unique(items, [f"line {r.line}" for r in records.items], path)
    return items


def load_prompt_examples(path: str | Path) -> list[Example]:
    """Load a prompt benchmark (BBH, GSM8K, OPRO's GSM8K TSV) through
    ``agent.tasks.prompt.load_examples``.

    Returns:
        ``agent.tasks.prompt.Example`` records.

    Raises:
        DataError: the file is not a prompt benchmark (use ``load_items``), or is malformed.
    """
    from agent.tasks.prompt import load_examples

    fmt = detect_format(path)
    if not is_prompt_format(fmt):
        raise DataError(
            f"{path}: {fmt} is an optimization benchmark; load it with evals.datasets.load_items"
        )
    return load_examples(path, format="tsv" if fmt == "gsm8k_tsv" else fmt)  # type: ignore[arg-type]  # fmt is a prompt format here (checked above), a DataFormat value
