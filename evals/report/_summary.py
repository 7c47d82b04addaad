"""Figures of one eval run and of two runs side by side, as plain JSON-safe dicts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

# Failures where the agent produced no solver result at all.
NOT_EXECUTED = ("no_answer", "execution_error", "timeout")


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def summarize(config: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Accuracy overall and by category, execution rate, model use, failures and time.

    Args:
        config: the run's config.json.
        records: its item records (``load_records``).

    Returns:
        A JSON-safe dict (the ``--json`` report).
    """
    n = len(records)
    correct = sum(bool(r.get("correct")) for r in records)
    categories: dict[str, dict[str, Any]] = {}
    for r in records:
        row = categories.setdefault(r.get("category") or "-", {"items": 0, "correct": 0})
        row["items"] += 1
        row["correct"] += bool(r.get("correct"))
    for row in categories.values():
        row["accuracy"] = row["correct"] / row["items"]
    failures = Counter(str(r.get("failure")) for r in records if r.get("failure") is not None)
    executed = sum(r.get("failure") not in NOT_EXECUTED for r in records)
    seconds = [float(r.get("seconds", 0.0)) for r in records]
    selected = config.get("items") or []
    return {
        "name": config.get("name", ""),
        "dataset": config.get("dataset", ""),
        "mode": config.get("mode", ""),
        "model": config.get("model", ""),
        "agent": config.get("agent", {}),
        "executor": config.get("executor", ""),
        "workers": config.get("workers", 1),
        "items": n,
        "selected": len(selected),
        "complete": n >= len(selected),
        "correct": correct,
        "accuracy": correct / n if n else 0.0,
        "execution_rate": executed / n if n else 0.0,
        "by_category": dict(sorted(categories.items())),
        "failures": dict(failures.most_common()),
        "calls_per_item": _mean([r.get("calls", 0) for r in records]),
        "tokens_per_item": _mean([r.get("tokens", 0) for r in records]),
        "calls": sum(int(r.get("calls", 0)) for r in records),
        "tokens": sum(int(r.get("tokens", 0)) for r in records),
        "cost_usd": sum(float(r.get("cost_usd", 0.0)) for r in records),
        "seconds": {
            "total": sum(seconds),
            "mean": _mean(seconds),
            "median": statistics.median(seconds) if seconds else 0.0,
            "max": max(seconds, default=0.0),
        },
        "wrong": [
            {"id": r["id"], "failure": r.get("failure"), "detail": r.get("score", {}).get("detail")}
            for r in records
            if not r.get("correct")
        ],
    }


def compare(
    a: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]],
    b: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]],
) -> dict[str, Any]:
    """Two runs side by side on the items both finished, with the items that flipped.

    Args:
        a: ``(config, records)`` of the first run.
        b: ``(config, records)`` of the second run.

    Returns:
        ``{"a": summary, "b": summary, "common": n, "accuracy_a", "accuracy_b",
        "fixed": ids wrong in A and right in B, "broken": ids right in A and wrong in B}``.
    """
    by_a = {r["id"]: r for r in a[1]}
    by_b = {r["id"]: r for r in b[1]}
    common = [i for i in by_a if i in by_b]
    n = len(common)
    return {
        "a": summarize(*a),
        "b": summarize(*b),
        "common": n,
        "accuracy_a": sum(bool(by_a[i]["correct"]) for i in common) / n if n else 0.0,
        "accuracy_b": sum(bool(by_b[i]["correct"]) for i in common) / n if n else 0.0,
        "fixed": [i for i in common if not by_a[i]["correct"] and by_b[i]["correct"]],
        "broken": [i for i in common if by_a[i]["correct"] and not by_b[i]["correct"]],
        "only_a": [i for i in by_a if i not in by_b],
        "only_b": [i for i in by_b if i not in by_a],
    }
