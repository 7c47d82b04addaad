"""Optimizers that keep the best values seen: every candidate is scored and only a strict
improvement is adopted, so the parameters always hold the best values so far."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from agent.core import History, Trial
from agent.errors import SettingError
from agent.llm import LLM
from agent.trace._module import Module
from agent.trace._node import Node
from agent.trace.optimizers._base import Evaluate
from agent.trace.optimizers._optoprime import OptoPrime


class ScoredOptimizer(OptoPrime):
    """OptoPrime's parsing plus a best-so-far guard; accepts strict improvements only.

    A step starts from the best trial of the run so far (the core ``History``): its trace
    and feedback go into the prompt, every usable reply is evaluated as a trial, and
    ``step()`` writes the best values back to the parameters. Subclasses choose the prompt.

    Args:
        parameters: a ``Module``, a ``{name: node}`` mapping, or nodes.
        llm: the proposing model.
        evaluate: the score of the current parameter values (higher is better); ``step()``
            needs it (runs on ``agent.core.Run`` score with a ``TraceObjective`` instead).
        n: candidates per step (sampled in one request, scored in parallel).
        history: how many trials the prompt shows.
        **options: the other ``OptoPrime`` options.

    Raises:
        SettingError: a bad option (a ``ValueError``).
    """

    name = "scored-optoprime"
    scored = True

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        *,
        llm: LLM,
        evaluate: Evaluate | None = None,
        n: int = 2,
        history: int = 8,
        **options: Any,
    ) -> None:
        if history < 1:
            raise SettingError(f"history must be at least 1, got {history}")
        super().__init__(parameters, llm=llm, evaluate=evaluate, n=n, **options)
        self.history_size = history

    def current_trial(self, history: History) -> Trial | None:
        return history.best

    def run_history(self) -> History:
        """The trials of ``step()`` calls so far as a core ``History``."""
        return History(self.trials)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "history": self.history_size}


def plain(value: float | None) -> float | str:
    """A score as shown to the model and stored as JSON: 6 decimals, or ``inf``/``nan`` text."""
    if value is None:
        return "nan"
    if math.isinf(value) or math.isnan(value):
        return str(value)
    return round(value, 6)
