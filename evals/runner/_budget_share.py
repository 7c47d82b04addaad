"""How a process or Ray eval run stays within one budget: usage summed from item records, and
each item's share of what is left when it starts."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from agent.errors import BudgetExceeded
from agent.llm import Budget, UsageMeter
from evals.runner._executors import Outcome


class Totals:
    """Usage of the whole run summed from item records (the process and Ray budgets)."""

    def __init__(self, earlier: Mapping[str, Any], started: float) -> None:
        self.calls = int(earlier.get("calls", 0))
        self.tokens = int(earlier.get("total_tokens", 0))
        self.prompt_tokens = int(earlier.get("prompt_tokens", 0))
        self.completion_tokens = int(earlier.get("completion_tokens", 0))
        self.cost = float(earlier.get("cost_usd", 0.0))
        self.started = started

    def add(self, usage: Mapping[str, Any]) -> None:
        self.calls += int(usage.get("calls", 0))
        self.tokens += int(usage.get("tokens", 0))
        self.prompt_tokens += int(usage.get("prompt_tokens", 0))
        self.completion_tokens += int(usage.get("completion_tokens", 0))
        self.cost += float(usage.get("cost_usd", 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.tokens,
            "cost_usd": self.cost,
            "elapsed_s": time.monotonic() - self.started,
        }

    def share(self, budget: Budget, slots: int, held: Sequence[Budget]) -> Budget | None:
        """An item's part of what is left: ``1/slots`` of each limit after what the run used
        and what the items in flight hold (``held``).

        Returns ``None`` when not even one call (or any token, cost or time) is left now.
        """

        def part(limit: float | None, used: float, name: str, whole: bool) -> float | None:
            if limit is None:
                return None
            left = limit - used - sum(getattr(h, name) or 0 for h in held)
            amount = left // slots if whole else left / slots
            if amount <= 0:
                raise Spent
            return amount

        try:
            elapsed = time.monotonic() - self.started
            max_time = None if budget.max_time is None else budget.max_time - elapsed
            if max_time is not None and max_time <= 0:
                raise Spent
            calls = part(budget.max_calls, self.calls, "max_calls", True)
            tokens = part(budget.max_tokens, self.tokens, "max_tokens", True)
            return Budget(
                max_calls=None if calls is None else int(calls),
                max_tokens=None if tokens is None else int(tokens),
                max_cost=part(budget.max_cost, self.cost, "max_cost", False),
                max_time=max_time,
            )
        except Spent:
            return None


class Spent(Exception):
    pass


def budget_spent(meter: UsageMeter) -> bool:
    """Whether not even one more call fits in the shared budget."""
    try:
        meter.reserve_call()
    except BudgetExceeded:
        return True
    meter.release_call()
    return False


def cut_by_budget(outcome: Outcome) -> str:
    """The budget message when the agent stopped an item early for the budget, else ``""``."""
    if isinstance(outcome, BaseException):
        return ""
    return str((outcome.get("answer") or {}).get("stopped") or "")
