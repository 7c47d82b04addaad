"""Shared machinery of optimizers that re-evaluate every candidate: a scored trial history
and a best-so-far guard, so the parameters always hold the best values seen."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agent.errors import ConfigError
from agent.llm import LLM
from agent.trace._module import Module
from agent.trace._node import Node
from agent.trace.optimizers._base import Proposal, StepReport
from agent.trace.optimizers._optoprime import Evaluate, OptoPrime


@dataclass(frozen=True)
class Trial:
    """One scored set of parameter values."""

    values: dict[str, Any]
    score: float


class ScoredOptimizer(OptoPrime):
    """OptoPrime's parsing and scoring plus a trial history; accepts strict improvements only.

    Every usable candidate is re-evaluated with ``evaluate`` and recorded as a ``Trial``; it
    is applied only when it scores strictly higher than the best so far. Subclasses choose
    the prompt (``messages``) and may override ``candidates``.

    Args:
        parameters: a ``Module``, a ``{name: node}`` mapping, or nodes.
        llm: the proposing model.
        evaluate: the score of the current parameter values (higher is better); required.
        n: candidates per step (sampled in one request, scored in parallel).
        history: how many trials the prompt shows.
        **options: the other ``OptoPrime`` options.

    Raises:
        ConfigError: no ``evaluate`` or a bad option.
    """

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        *,
        llm: LLM,
        evaluate: Evaluate,
        n: int = 2,
        history: int = 8,
        **options: Any,
    ) -> None:
        if evaluate is None or not callable(evaluate):
            raise ConfigError(
                f"{type(self).__name__} needs evaluate=, a function returning a score"
            )
        if history < 1:
            raise ConfigError(f"history must be at least 1, got {history}")
        super().__init__(parameters, llm=llm, evaluate=evaluate, n=n, **options)
        self.history_size = history
        self.trials: list[Trial] = []
        self.best: Trial | None = None
        self.accepted: list[Trial] = []
        self._best_index = 0

    @property
    def best_score(self) -> float | None:
        return None if self.best is None else self.best.score

    def candidates(self) -> list[Proposal]:
        """This step's parsed proposals (the default asks with ``messages()``)."""
        return self.propose()

    def step(self) -> StepReport:
        """Propose, re-evaluate every candidate, accept only a strict improvement."""
        if self.best is None:
            current = self.values()
            self.best = Trial(current, self.score(current))
            self.trials.append(self.best)
            self.accepted.append(self.best)
        report = StepReport(step=len(self.history) + 1)
        self.history.append(report)
        records = self.feedback_records()
        report.proposals = self.candidates()
        report.scores = [None] * len(report.proposals)
        usable = [i for i, p in enumerate(report.proposals) if p.values]
        if usable:
            merged = [self._merged(report.proposals[i].values) for i in usable]
            for i, values, score in zip(usable, merged, self.score_all(merged), strict=True):
                report.scores[i] = score
                self.trials.append(Trial(values, score))
                if score > self.best.score:
                    self.best = self.trials[-1]
                    self._best_index = len(self.trials) - 1
                    report.chosen = i
        if report.chosen is not None:
            self.accepted.append(self.best)
            report.applied = dict(report.proposals[report.chosen].values)
        else:
            report.note = (
                "no candidate beat the best score"
                if usable
                else "no usable suggestion: "
                + "; ".join(p.error or "empty" for p in report.proposals)
            )
        self.apply(self.best.values)
        report.best_score = self.best.score
        self._remember(records)
        return report

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["trials"] = [{"values": t.values, "score": plain(t.score)} for t in self.trials]
        state["best"] = (
            None if self.best is None else {"values": self.best.values, "score": self.best.score}
        )
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the step count and the scored trials (validated before anything changes).

        Raises:
            ConfigError: a malformed trial, or one naming an unknown parameter.
        """
        raw = state.get("trials", [])
        if not isinstance(raw, list):
            raise ConfigError("optimizer state: 'trials' must be a list")
        trials = [self._trial_from(i, item) for i, item in enumerate(raw)]
        super().load_state_dict(state)
        self.trials = trials
        self.best, self._best_index = None, 0
        for index, trial in enumerate(trials):
            if self.best is None or trial.score > self.best.score:
                self.best, self._best_index = trial, index
        self.accepted = [] if self.best is None else [self.best]

    def _trial_from(self, index: int, item: Any) -> Trial:
        where = f"optimizer state: trials[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("values"), Mapping):
            raise ConfigError(f"{where} must be an object with 'values' and 'score'")
        unknown = [name for name in item["values"] if name not in self.params]
        if unknown:
            raise ConfigError(
                f"{where} names unknown parameters {unknown}; known: {list(self.params)}"
            )
        try:
            raw: Any = item.get("score")  # a missing score (None) is a TypeError, reported below
            score = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: score {item.get('score')!r} is not a number") from None
        try:
            values = {name: self.validate(name, value) for name, value in item["values"].items()}
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return Trial(values, score)


def plain(value: float) -> float | str:
    """A score as shown to the model and stored as JSON: 6 decimals, or ``inf``/``nan`` text."""
    if math.isinf(value) or math.isnan(value):
        return str(value)
    return round(value, 6)
