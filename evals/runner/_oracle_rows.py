"""Rows for the oracle fake backend from a folder of hand-written formulations named by item id.

The oracle folders (``evals/oracle/mamo_easy_lp``) hold formulations only, never the question
text; the fake backend recognises a problem by its text, so the runner joins each formulation
with its item's question into a JSONL file in the run directory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.errors import DataError
from evals.datasets import EvalItem


def _compact(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _compact(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_compact(v) for v in node]
    return node


def oracle_rows(items: Sequence[EvalItem], directory: str | Path) -> list[dict[str, Any]]:
    """``{"id", "question", "formulation"}`` for every item with a formulation in ``directory``.

    Raises:
        DataError: the folder is not an oracle folder, or covers none of the items.
    """
    from evals.oracle import load_oracle

    formulations = load_oracle(directory)
    rows = []
    for item in items:
        if item.id in formulations:
            data = formulations[item.id].model_dump(mode="json", exclude_defaults=True)
            formulation = {k: v for k, v in data.items() if k not in ("name", "description")}
            rows.append(
                {"id": item.id, "question": item.question, "formulation": _compact(formulation)}
            )
    if not rows:
        raise DataError(
            f"{directory}: none of its formulations matches an item id of the dataset; "
            "check that the oracle folder belongs to this dataset"
        )
    return rows


def write_oracle_rows(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write rows as JSONL (the ``oracle:PATH`` spec reads it)."""
    out = Path(path)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return out
