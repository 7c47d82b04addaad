"""Score one item: compare a prediction with the gold label under a named mode.

The gold label is read here and nowhere else: it never reaches a prompt or a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.errors import ConfigError
from evals.datasets import EvalItem, Gold
from evals.scoring._prediction import EXECUTION_ERROR_STATUSES, Prediction
from evals.scoring._tolerance import TOLERANCES

SCORING_MODES: tuple[str, ...] = ("mamo", "orlm", "strict", "optibench")
FAILURES: tuple[str, ...] = (
    "no_answer",
    "execution_error",
    "infeasible",
    "unbounded",
    "wrong_value",
)


@dataclass(frozen=True, slots=True)
class ItemScore:
    """The verdict on one item.

    Attributes:
        correct: the prediction matches the label under the mode.
        failure: why it is wrong, one of ``FAILURES`` (None when correct).
        detail: a one-line explanation (the values compared, or the status found).
    """

    correct: bool
    failure: str | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "failure": self.failure, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ItemScore:
        failure = data.get("failure")
        return cls(
            correct=bool(data.get("correct")),
            failure=None if failure is None else str(failure),
            detail=str(data.get("detail") or ""),
        )


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.10g}"


def _targets(
    gold: Gold, prediction: Prediction, mode: str
) -> list[tuple[str, float, float | None]]:
    """(name, label value, predicted value) for each value the mode compares."""

    def predicted(name: str) -> float | None:
        value = prediction.quantities.get(name)
        if value is None and name == gold.objective_name:
            value = prediction.objective
        return value

    use_named = bool(gold.named) and (mode == "optibench" or gold.objective is None)
    if use_named:
        return [(name, label, predicted(name)) for name, label in gold.named.items()]
    assert gold.objective is not None
    objective = prediction.objective
    if objective is None and gold.objective_name:
        objective = prediction.quantities.get(gold.objective_name)
    return [("objective", gold.objective, objective)]


def _no_value_failure(prediction: Prediction) -> str:
    if prediction.status in ("infeasible", "unbounded"):
        return prediction.status
    if prediction.status in EXECUTION_ERROR_STATUSES or prediction.error:
        return "execution_error"
    return "no_answer"


def _status_detail(prediction: Prediction) -> str:
    text = f"answer status {prediction.status or 'none'}"
    return text + (f": {prediction.error.splitlines()[0][:200]}" if prediction.error else "")


def score_item(item: EvalItem, prediction: Prediction, mode: str) -> ItemScore:
    """Score ``prediction`` against ``item.gold`` under ``mode`` (one of ``SCORING_MODES``).

    A label that says no optimum exists (infeasible, unbounded) is matched by an answer with
    that same status. Otherwise the answer's values are compared with the label's: the
    objective (``mamo``, ``orlm``, ``strict``; the named values when the label has no
    objective), or every named value (``optibench``; the objective when the label names none).

    Returns:
        An ``ItemScore``; ``failure`` is ``infeasible``/``unbounded`` (the answer claimed so),
        ``execution_error`` (no value and an error status or text), ``no_answer`` (no value,
        no error) or ``wrong_value``.

    Raises:
        ConfigError: an unknown mode.
    """
    if mode not in SCORING_MODES:
        raise ConfigError(f"unknown scoring mode {mode!r}; use one of {', '.join(SCORING_MODES)}")
    gold = item.gold
    if gold.status != "optimal":
        if prediction.status == gold.status:
            return ItemScore(True, None, f"label and answer both say {gold.status}")
        has_value = prediction.objective is not None or any(
            v is not None for v in prediction.quantities.values()
        )
        failure = (
            "wrong_value"
            if has_value and prediction.status not in ("infeasible", "unbounded")
            else _no_value_failure(prediction)
        )
        shown = f" with objective {_fmt(prediction.objective)}" if has_value else ""
        return ItemScore(
            False, failure, f"label says {gold.status}; {_status_detail(prediction)}{shown}"
        )
    if prediction.status in ("infeasible", "unbounded"):
        return ItemScore(
            False,
            prediction.status,
            f"label is an optimum ({_fmt(gold.objective)}); {_status_detail(prediction)}",
        )
    if gold.objective is None and not gold.named:
        raise ConfigError(f"item {item.id!r} has an optimal label without a value to compare")
    targets = _targets(gold, prediction, mode)
    if all(p is None for _, _, p in targets):
        return ItemScore(False, _no_value_failure(prediction), _status_detail(prediction))
    match = TOLERANCES[mode]
    wrong = [(n, g, p) for n, g, p in targets if p is None or not match(p, g)]
    if not wrong:
        shown = "; ".join(f"{n}: {_fmt(p)} ~ {_fmt(g)}" for n, g, p in targets[:5])
        return ItemScore(True, None, f"{mode}: {shown}")
    shown = "; ".join(f"{n}: answer {_fmt(p)}, label {_fmt(g)}" for n, g, p in wrong[:5])
    more = f" (+{len(wrong) - 5} more)" if len(wrong) > 5 else ""
    return ItemScore(False, "wrong_value", f"{mode}: {shown}{more}")
