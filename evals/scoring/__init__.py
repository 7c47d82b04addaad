"""Scoring modes named after their sources, and the per-item verdict with its failure reason.

Example:
    >>> from evals.datasets import EvalItem, Gold
    >>> from evals.scoring import Prediction, score_item
    >>> item = EvalItem("1", "Maximise ...", Gold(objective=1500.0))
    >>> score_item(item, Prediction("optimal", 1500.05), "mamo").correct
    True
"""

from evals.scoring._prediction import EXECUTION_ERROR_STATUSES, Prediction
from evals.scoring._score import FAILURES, SCORING_MODES, ItemScore, score_item
from evals.scoring._tolerance import (
    TOLERANCES,
    mamo_match,
    orlm_match,
    relative_error,
    strict_match,
)

__all__ = [
    "EXECUTION_ERROR_STATUSES",
    "FAILURES",
    "SCORING_MODES",
    "TOLERANCES",
    "ItemScore",
    "Prediction",
    "mamo_match",
    "orlm_match",
    "relative_error",
    "score_item",
    "strict_match",
]
