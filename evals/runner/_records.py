"""An eval run's item records: built from a worker's outcome (scored next to the gold), read
back from a run directory, and gathered in ``EvalRunResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore
from agent.errors import ConfigError
from evals.datasets import EvalItem
from evals.runner._executors import Outcome

KIND = "eval"
TIMEOUT = "timeout"


@dataclass
class EvalRunResult:
    """What ``run_eval`` returns.

    Attributes:
        status: ``finished``, ``stopped`` (a budget ended it) or ``interrupted``.
        reason: why it ended, in words.
        records: every finished item's record, in journal order (earlier parts included).
        directory: the run directory.
        skipped: items found finished in the journal and not run again.
    """

    status: str
    reason: str
    records: list[dict[str, Any]]
    directory: Path
    skipped: int = 0
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return sum(bool(r["correct"]) for r in self.records) / len(self.records) if self else 0.0

    def __bool__(self) -> bool:
        return bool(self.records)


def load_records(directory: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The config and item records of an eval run directory.

    Raises:
        ConfigError: the directory is not an eval run.
    """
    path = Path(directory)
    store = JsonlRunStore(path) if path.is_dir() else None
    config = store.read_config() if store else {}
    if config.get("kind") != KIND:
        what = "does not exist" if store is None else "is not an eval run (no kind 'eval')"
        raise ConfigError(f"{path} {what}: pass a directory made by 'optagent eval run'")
    assert store is not None
    return config, [dict(t.artifacts) for t in store.load_trials()]


def score_record(item: EvalItem, outcome: Outcome, mode: str) -> dict[str, Any]:
    """The item's record from a worker outcome; scoring happens here, next to the gold."""
    from evals.scoring import Prediction, score_item

    if isinstance(outcome, BaseException):
        outcome = {
            "answer": None,
            "prediction": Prediction.failed(
                "error", f"{type(outcome).__name__}: {outcome}"[:500]
            ).to_dict(),
            "error": f"{type(outcome).__name__}: {outcome}"[:500],
            "seconds": 0.0,
            "usage": {},
        }
    prediction = Prediction.from_dict(outcome["prediction"])
    score = score_item(item, prediction, mode).to_dict()
    answer = outcome.get("answer") or {}
    return _record(
        item,
        answer=answer,
        prediction=outcome["prediction"],
        score=score,
        error=outcome.get("error", ""),
        seconds=float(outcome.get("seconds", 0.0)),
        usage=outcome.get("usage") or {},
    )


def timeout_record(item: EvalItem, seconds: float) -> dict[str, Any]:
    detail = f"the item ran past its {seconds:g} s timeout and was stopped"
    return _record(
        item,
        answer={},
        prediction={"status": TIMEOUT, "objective": None, "quantities": {}, "error": detail},
        score={"correct": False, "failure": TIMEOUT, "detail": detail},
        error=detail,
        seconds=seconds,
        usage={},
    )


def _record(
    item: EvalItem,
    *,
    answer: Mapping[str, Any],
    prediction: Mapping[str, Any],
    score: Mapping[str, Any],
    error: str,
    seconds: float,
    usage: Mapping[str, Any],
) -> dict[str, Any]:
    chains = answer.get("chains") or []
    return {
        "id": item.id,
        "category": item.category,
        "correct": bool(score.get("correct")),
        "failure": score.get("failure"),
        "score": dict(score),
        "prediction": dict(prediction),
        "gold": item.gold.to_dict(),
        "answer": {
            k: answer.get(k)
            for k in ("status", "objective", "quantities", "explanation", "stopped", "rounds_used")
        },
        "formulation": answer.get("formulation"),
        "code": answer.get("code"),
        "rounds": [
            [
                {"status": r.get("status"), "error": (r.get("error") or "")[:300]}
                for r in chain.get("rounds", [])
            ]
            for chain in chains
        ],
        "error": error,
        "seconds": round(seconds, 4),
        "calls": int(usage.get("calls", 0)),
        "tokens": int(usage.get("tokens", 0)),
        "cost_usd": float(usage.get("cost_usd", 0.0)),
        "usage": dict(usage),
    }
