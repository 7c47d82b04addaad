"""Synthetic eval datasets with an oracle file for the oracle fake backend (eval tests)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evals.synthetic import generate

# Fields of a record that depend on timing, not on what the agent did.
VOLATILE = ("seconds",)


def write_dataset(
    folder: Path,
    n: int = 6,
    *,
    seed: int = 0,
    delays: Mapping[int, float] | None = None,
    wrong: tuple[int, ...] = (),
    faults: Mapping[int, Mapping[str, str]] | None = None,
) -> tuple[Path, Path]:
    """Write ``n`` synthetic items (``data.jsonl``) and their oracle (``oracle.jsonl``).

    Args:
        folder: where to write.
        n: items.
        seed: generator seed.
        delays: item index -> seconds the oracle fake waits before answering (timeouts).
        wrong: item indices whose labels (``answer`` and the named objective in ``results``)
            are changed, so they score ``wrong_value``.
        faults: item index -> the oracle fake's ``started_file`` / ``hold_until`` for it.

    Returns:
        ``(dataset, oracle)`` paths.
    """
    rows = generate(n, seed=seed)
    data, oracle = folder / "data.jsonl", folder / "oracle.jsonl"
    with open(data, "w", encoding="utf-8") as fh:
        for row in rows:
            if row["index"] in wrong:
                first = next(iter(row["results"]))  # the objective, named first
                results = {**row["results"], first: repr(float(row["results"][first]) + 1000.0)}
                row = {**row, "answer": row["answer"] + 1000.0, "results": results}
            fh.write(json.dumps(row) + "\n")
    write_oracle(oracle, rows, delays=delays, faults=faults)
    return data, oracle


def write_oracle(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    delays: Mapping[int, float] | None = None,
    faults: Mapping[int, Mapping[str, str]] | None = None,
) -> None:
    """Write oracle rows (question, formulation, optional delay_s and faults) as JSONL."""
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            out = {"question": row["question"], "formulation": row["formulation"]}
            if delays and row["index"] in delays:
                out["delay_s"] = delays[row["index"]]
            if faults and row["index"] in faults:
                out.update(faults[row["index"]])
            fh.write(json.dumps(out) + "\n")


def stable(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by id without the timing fields, for comparing executors."""
    return {r["id"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in records}


def journal_ids(run: Path) -> list[str]:
    """Item ids in trials.jsonl order (complete lines only)."""
    ids: list[str] = []
    if not (run / "trials.jsonl").is_file():
        return ids
    for line in (run / "trials.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            ids.append(json.loads(line)["candidate"])
        except json.JSONDecodeError:
            continue
    return ids
