"""Benchmark datasets: items (question + gold kept apart) and the loaders of public formats."""

from evals.datasets._item import GOLD_STATUSES, EvalItem, Gold, GoldStatus

__all__ = ["GOLD_STATUSES", "EvalItem", "Gold", "GoldStatus"]
