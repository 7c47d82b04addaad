"""Scoring modes named after their sources, and the per-item verdict with its failure reason.

Example:
    >>> from evals.datasets import EvalItem, Gold
    >>> from evals.scoring import Prediction, score_item
    >>> item = EvalItem("1", "Maximise ...", Gold(objective=1500.0))
    >>> score_item(item, Prediction("optimal", 1500.05), "mamo").correct
    True
    >>> score_item(item, Prediction("optimal", 1500.2), "mamo").correct
    False
"""

from evals.scoring._modes import DEFAULT_MODES, ModeChoice, choose_mode
from evals.scoring._prediction import EXECUTION_ERROR_STATUSES, SOLVED_STATUSES, Prediction
from evals.scoring._score import (
    FAILURES,
    SCORING_MODES,
    ItemScore,
    failure_of_status,
    score_item,
)
from evals.scoring._tolerance import (
    TOLERANCES,
    label_decimals,
    llmopt_match,
    mamo_match,
    optibench_match,
    orlm_match,
    relative_error,
    strict_match,
)

__all__ = [
    "DEFAULT_MODES",
    "EXECUTION_ERROR_STATUSES",
    "FAILURES",
    "SCORING_MODES",
    "SOLVED_STATUSES",
    "TOLERANCES",
    "ItemScore",
    "ModeChoice",
    "Prediction",
    "choose_mode",
    "failure_of_status",
    "label_decimals",
    "llmopt_match",
    "mamo_match",
    "optibench_match",
    "orlm_match",
    "relative_error",
    "score_item",
    "strict_match",
]
