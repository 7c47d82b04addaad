"""Hand-written oracle formulations for a seeded draw of benchmark items, and their judgements.

The project's engineers read each drawn question and wrote its formulation by hand (no text
of the question is stored here, only the typed formulation). Solving those formulations and
scoring the optima against the labels checks the harness end to end and measures label
quality: each disagreement is judged in ``judgements.json`` (label wrong, question ambiguous,
or our own error), never fitted away.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from agent.errors import DataError
from solvers.errors import FormulationError
from solvers.formulation import Formulation, load_formulation

ORACLE_ROOT = Path(__file__).parent
MAMO_EASY_LP = ORACLE_ROOT / "mamo_easy_lp"
JUDGEMENTS = "judgements.json"

T = TypeVar("T")


def oracle_sample(items: Sequence[T], k: int = 15, seed: int = 0) -> list[T]:
    """The seeded draw of ``k`` items that the oracle formulations cover, in draw order.

    ``random.Random(seed).sample`` over the items in file order: the same file, ``k`` and
    ``seed`` always give the same items.

    Raises:
        DataError: ``k`` larger than the number of items, or below 1.
    """
    if not 1 <= k <= len(items):
        raise DataError(
            f"cannot draw {k} oracle items from {len(items)}; choose 1 <= k <= {len(items)}"
        )
    return random.Random(seed).sample(list(items), k)


def load_oracle(directory: str | Path = MAMO_EASY_LP) -> dict[str, Formulation]:
    """The oracle formulations of a folder, by item id (the file stem), in natural id order.

    Raises:
        DataError: the folder is missing or a file is not a valid formulation (naming it).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise DataError(f"oracle folder not found: {folder}")
    paths = [p for p in folder.glob("*.json") if p.name != JUDGEMENTS]
    paths.sort(key=lambda p: (0, int(p.stem), p.stem) if p.stem.isdigit() else (1, 0, p.stem))
    out: dict[str, Formulation] = {}
    for path in paths:
        try:
            out[path.stem] = load_formulation(path)
        except FormulationError as exc:
            raise DataError(f"{path}: not a valid formulation: {exc}") from None
    if not out:
        raise DataError(f"{folder}: no oracle formulations (*.json) found")
    return out


def load_judgements(directory: str | Path = MAMO_EASY_LP) -> dict[str, Any]:
    """The folder's ``judgements.json``: the draw, the scoring mode and one entry per item
    (``id``, ``label``, ``optimum``, ``agree``, ``judgement``).

    Raises:
        DataError: the file is missing or not JSON.
    """
    path = Path(directory) / JUDGEMENTS
    if not path.is_file():
        raise DataError(f"judgements file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        raise DataError(f'{path}: expected an object with an "items" list')
    return dict(data)
