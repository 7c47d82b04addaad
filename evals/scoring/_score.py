"""Score one item: compare a prediction with the gold label under a named mode.

The gold label is read here and nowhere else: it never reaches a prompt or a retry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.errors import ConfigError
from evals.datasets import EvalItem, Gold
from evals.scoring._prediction import SOLVED_STATUSES, Prediction
from evals.scoring._tolerance import TOLERANCES

SCORING_MODES: tuple[str, ...] = ("mamo", "orlm", "optibench", "llmopt", "strict")
FAILURES: tuple[str, ...] = (
    "truncated",
    "parse_error",
    "invalid_formulation",
    "solver_error",
    "timeout",
    "agent_error",
    "infeasible",
    "unbounded",
    "wrong_value",
    "missing_value",
    "no_answer",
)
# The failure of an answer without a value, by the agent's (or the runner's) status.
_STATUS_FAILURE: dict[str, str] = {
    "truncated": "truncated",
    "parse_error": "parse_error",
    "formulation_error": "invalid_formulation",
    "solver_error": "solver_error",
    "code_error": "solver_error",
    "not_solved": "solver_error",
    "timeout": "timeout",
    "error": "agent_error",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
}


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


def _label_text(raw: Any, name: str | None) -> str:
    """The label as the file wrote it (MAMO's rule reads its decimals)."""
    if name is not None and isinstance(raw, Mapping):
        raw = raw.get(name)
    return raw if isinstance(raw, str) else "" if raw is None else repr(raw)


def _targets(
    gold: Gold, prediction: Prediction, mode: str
) -> list[tuple[str, float, float | None, str]]:
    """(name, label value, predicted value, label text) for each value the mode compares:
    every named value when the label has them, else the objective."""

    def predicted(name: str) -> float | None:
        value = prediction.quantities.get(name)
        if value is None and name == prediction.objective_name:
            value = prediction.objective
        return value

    if gold.named and (mode == "optibench" or gold.objective is None):
        return [
            (name, label, predicted(name), _label_text(gold.raw, name))
            for name, label in gold.named.items()
        ]
    assert gold.objective is not None
    return [("objective", gold.objective, prediction.objective, _label_text(gold.raw, None))]


def failure_of_status(prediction: Prediction) -> str:
    """The failure of an answer that gave no value, from its status (``FAILURES``)."""
    failure = _STATUS_FAILURE.get(prediction.status)
    if failure == "solver_error" and "time_limit" in prediction.error:
        return "timeout"
    if failure is not None:
        return failure
    if prediction.status in SOLVED_STATUSES:
        return "missing_value"
    return "agent_error" if prediction.error else "no_answer"


def _status_detail(prediction: Prediction) -> str:
    text = f"answer status {prediction.status or 'none'}"
    return text + (f": {prediction.error.splitlines()[0][:200]}" if prediction.error else "")


def _no_optimum(gold: Gold, prediction: Prediction, mode: str) -> ItemScore:
    """A label saying no optimum exists. ORLM's evaluator appends ``if model.status ==
    COPT.OPTIMAL: print(objval) else: print("No Best Solution")`` to the solver code, so under
    ``orlm`` any solve that ended without an optimum (infeasible, unbounded, or a solver
    status such as a time limit: ``not_solved``) matches either label."""
    accepted = {"infeasible", "unbounded", "not_solved"} if mode == "orlm" else {gold.status}
    if prediction.status in accepted:
        return ItemScore(True, None, f"label says {gold.status}; answer says {prediction.status}")
    has_value = prediction.objective is not None or any(
        v is not None for v in prediction.quantities.values()
    )
    failure = "wrong_value" if has_value else failure_of_status(prediction)
    if failure == "missing_value":
        failure = "wrong_value"
    shown = f" with objective {_fmt(prediction.objective)}" if has_value else ""
    return ItemScore(
        False, failure, f"label says {gold.status}; {_status_detail(prediction)}{shown}"
    )


def score_item(item: EvalItem, prediction: Prediction, mode: str) -> ItemScore:
    """Score ``prediction`` against ``item.gold`` under ``mode`` (one of ``SCORING_MODES``).

    A label that says no optimum exists (infeasible, unbounded) is matched by an answer with
    that status (under ``orlm``, by either). Otherwise every value the label has is compared
    under the mode's rule (``evals.scoring.TOLERANCES``): each named value when the label has
    named values (OptiBench's ``results``; the answer's objective stands for the named value
    its formulation maps to ``objective``), else the objective.

    Returns:
        An ``ItemScore``. ``failure`` is one of ``FAILURES``: the attempt's own failure when
        it gave no value (``truncated``, ``parse_error``, ``invalid_formulation``,
        ``solver_error``, ``timeout``, ``agent_error``, ``no_answer``), ``infeasible`` or
        ``unbounded`` when it claimed so against an optimum, ``missing_value`` when a solved
        answer lacks a named value, ``wrong_value`` when a value is outside the tolerance.
        ``detail`` names the quantities at fault.

    Raises:
        ConfigError: an unknown mode, or an optimal label without a value.
    """
    if mode not in SCORING_MODES:
        raise ConfigError(f"unknown scoring mode {mode!r}; use one of {', '.join(SCORING_MODES)}")
    gold = item.gold
    if gold.status != "optimal":
        return _no_optimum(gold, prediction, mode)
    if prediction.status in ("infeasible", "unbounded"):
        return ItemScore(
            False,
            prediction.status,
            f"label is an optimum ({_fmt(gold.objective)}); {_status_detail(prediction)}",
        )
    if gold.objective is None and not gold.named:
        raise ConfigError(f"item {item.id!r} has an optimal label without a value to compare")
    targets = _targets(gold, prediction, mode)
    missing = [n for n, _, p, _ in targets if p is None]
    if len(missing) == len(targets) and prediction.status not in SOLVED_STATUSES:
        return ItemScore(False, failure_of_status(prediction), _status_detail(prediction))
    match = TOLERANCES[mode]
    wrong = [(n, g, p) for n, g, p, text in targets if p is not None and not match(p, g, text)]
    if wrong:
        shown = "; ".join(f"'{n}': answer {_fmt(p)}, label {_fmt(g)}" for n, g, p in wrong[:5])
        more = f" (+{len(wrong) - 5} more)" if len(wrong) > 5 else ""
        if missing:
            more += f"; missing {', '.join(repr(n) for n in missing[:5])}"
        return ItemScore(False, "wrong_value", f"{mode}: wrong value {shown}{more}")
    if missing:
        names = ", ".join(repr(n) for n in missing[:5])
        more = f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        return ItemScore(
            False,
            "missing_value",
            f"{mode}: the answer ({prediction.status}) has no value for {names}{more}",
        )
    shown = "; ".join(f"{n}: {_fmt(p)} ~ {_fmt(g)}" for n, g, p, _ in targets[:5])
    return ItemScore(True, None, f"{mode}: {shown}")
