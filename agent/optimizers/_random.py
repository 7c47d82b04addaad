"""Random search: the honest baseline every showcase runs at equal evaluations."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from agent.core import Candidate, History
from agent.errors import SettingError
from agent.optimizers._base import Optimizer


class RandomSearch(Optimizer):
    """Draws candidates from a user sampler.

    Args:
        sample: ``sample(rng) -> candidate`` drawing one JSON-safe candidate.
        candidates_per_step: how many to draw per step.
        initial: candidates to propose at step 0 instead of samples (to share a start with
            another optimizer).
        seed: with the step number, seeds each step's generator, so no state is kept.

    Example:
        >>> from agent.core import Run
        >>> from agent.optimizers import RandomSearch
        >>> search = RandomSearch(lambda rng: rng.randint(0, 9), candidates_per_step=4, seed=0)
        >>> result = Run(lambda x: -abs(x - 3), search, steps=3).optimize()
        >>> result.best.candidate, len(result.trials) <= 12
        (3, True)
    """

    name = "random"

    def __init__(
        self,
        sample: Callable[[random.Random], Candidate],
        *,
        candidates_per_step: int = 8,
        initial: list[Candidate] | None = None,
        seed: int = 0,
    ) -> None:
        if candidates_per_step < 1:
            raise SettingError(
                f"random: candidates_per_step must be >= 1, got {candidates_per_step}"
            )
        self.sample = sample
        self.candidates_per_step = candidates_per_step
        self.initial = list(initial or [])
        self.seed = seed

    def propose(self, history: History) -> list[Candidate]:
        if history.step == 0 and self.initial:
            return list(self.initial)
        rng = random.Random(f"{self.seed}:{history.step}")
        return [self.sample(rng) for _ in range(self.candidates_per_step)]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "candidates_per_step": self.candidates_per_step,
            "initial": len(self.initial),
            "seed": self.seed,
        }
