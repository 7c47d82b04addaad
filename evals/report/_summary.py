"""Figures of one eval run and of two runs side by side, as plain JSON-safe dicts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from agent.errors import ConfigError

# Statuses of an answer whose model ran to a result: the execution rate counts these items
# (the same list as ``evals.scoring.SOLVED_STATUSES``, kept here so reports need no scoring).
SOLVED = ("optimal", "not_verified", "code_ok", "infeasible", "unbounded")


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def summarize(
    config: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    *,
    state: Mapping[str, Any] | None = None,
    usage: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Accuracy overall and by category, execution rate, model use, failures and time.

    The execution rate is the share of items whose formulation ran to a solver result
    (optimal, infeasible, unbounded, or an optimum that failed verification), whether or
    not it was scored correct.

    Args:
        config: the run's config.json.
        records: its item records (``load_records``).
        state: its state.json (an interrupted or stopped run says so in the report).
        usage: its usage.json (the whole run's model use, items cut off in flight included).

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
    executed = sum((r.get("prediction") or {}).get("status") in SOLVED for r in records)
    seconds = [float(r.get("seconds", 0.0)) for r in records]
    selected = config.get("items") or []
    return {
        "name": config.get("name", ""),
        "dataset": config.get("dataset", ""),
        "mode": config.get("mode", ""),
        "mode_reason": config.get("mode_reason", ""),
        "dataset_fingerprint": config.get("dataset_fingerprint", ""),
        "status": (state or {}).get("status", ""),
        "status_reason": (state or {}).get("reason", ""),
        "usage": {
            "calls": int((usage or {}).get("calls") or 0),
            "tokens": int((usage or {}).get("total_tokens") or 0),
            "cost_usd": float((usage or {}).get("cost_usd") or 0.0),
        },
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


def comparability(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Why two runs' scores are not comparable (different dataset content or scoring mode),
    one sentence each; empty when they are."""
    problems: list[str] = []
    name_a, name_b = a.get("name", "A"), b.get("name", "B")
    fa, fb = a.get("dataset_fingerprint"), b.get("dataset_fingerprint")
    if not fa or not fb:
        missing = name_a if not fa else name_b
        problems.append(
            f"run {missing} has no dataset fingerprint (made before fingerprints were kept), "
            "so its dataset cannot be checked"
        )
    elif fa != fb:
        problems.append(
            f"the runs are over different datasets: {name_a} used {a.get('dataset')} "
            f"({fa}), {name_b} used {b.get('dataset')} ({fb})"
        )
    if a.get("mode") != b.get("mode"):
        problems.append(
            f"the runs are scored in different modes: {name_a} {a.get('mode')!r}, "
            f"{name_b} {b.get('mode')!r}"
        )
    return problems


def compare(
    a: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]],
    b: tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]],
    *,
    force: bool = False,
) -> dict[str, Any]:
    """Two runs side by side on the items both finished, with the items that flipped.

    Item ids pair the runs, which only means something over the same dataset scored the same
    way, so runs over different datasets (by content fingerprint) or modes are refused.

    Args:
        a: ``(config, records)`` of the first run.
        b: ``(config, records)`` of the second run.
        force: compare anyway; the result's ``warnings`` (and the report) say why it should
            not have been.

    Returns:
        ``{"a": summary, "b": summary, "common": n, "accuracy_a", "accuracy_b",
        "fixed": ids wrong in A and right in B, "broken": ids right in A and wrong in B,
        "warnings": [...]}``.

    Raises:
        ConfigError: the runs are not comparable and ``force`` is off.
    """
    problems = comparability(a[0], b[0])
    if problems and not force:
        raise ConfigError(
            "refusing to compare: "
            + "; ".join(problems)
            + ". Compare runs over the same dataset and mode, or pass --force to compare "
            "anyway (the report then says it is not comparable)"
        )
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
        "warnings": problems,
    }
