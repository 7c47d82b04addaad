"""Exemplar selection for prompts: random search over k-shot demo sets from a pool.

The pool holds demos as JSON dicts (``{"inputs", "answer", "origin"}``): gold train
examples and, above all, bootstrapped ones, the scoring model's own correct outputs on train
inputs (Wan et al., "Teach Better or Show Smarter?"). A candidate is a prompt dict
``{"instruction", "demos", "position"}``. Each step proposes fresh random sets and, once
something has scored, mutations of the best set (one demo swapped, or one added or dropped).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from agent.core import Candidate, History, Proposal
from agent.errors import SettingError
from agent.optimizers._base import Optimizer


def prompt_candidate(
    instruction: str, demos: Sequence[Mapping[str, Any]], position: str
) -> dict[str, Any]:
    """The JSON form of a prompt candidate (what the loop journals)."""
    return {"instruction": instruction, "demos": [dict(d) for d in demos], "position": position}


class ExemplarSearch(Optimizer):
    """Random search over demo sets, with mutation of the best set.

    Args:
        pool: demos to choose from (JSON dicts), in a fixed order.
        instruction: the instruction every candidate carries.
        position: the instruction position.
        min_demos, max_demos: how many demos a candidate shows (k is drawn per candidate).
        candidates_per_step: proposals per step.
        explore: share of proposals that are fresh random sets once a best exists; the rest
            mutate the best set.
        include_baseline: propose the zero-shot prompt first (step 0), so the search can never
            end worse than the baseline on validation.
        seed: seeds the draws (with the step number, so a resumed step proposes the same).

    Raises:
        ConfigError: an empty pool or bad sizes.
    """

    name = "exemplars"

    def __init__(
        self,
        pool: Sequence[Mapping[str, Any]],
        *,
        instruction: str = "",
        position: str = "Q_begin",
        min_demos: int = 1,
        max_demos: int = 4,
        candidates_per_step: int = 4,
        explore: float = 0.5,
        include_baseline: bool = True,
        seed: int = 0,
    ) -> None:
        if not pool:
            raise SettingError(
                "exemplars: the demo pool is empty (no train examples, and the model answered "
                "none correctly); give a train split with examples"
            )
        if not 1 <= min_demos <= max_demos:
            raise SettingError(
                f"exemplars: need 1 <= min_demos <= max_demos, got {min_demos}, {max_demos}"
            )
        if candidates_per_step < 1:
            raise SettingError(
                f"exemplars: candidates_per_step must be >= 1, got {candidates_per_step}"
            )
        if not 0.0 <= explore <= 1.0:
            raise SettingError(f"exemplars: explore must be in [0, 1], got {explore}")
        self.pool = [dict(d) for d in pool]
        self.instruction = instruction
        self.position = position
        self.min_demos = min_demos
        self.max_demos = min(max_demos, len(self.pool))
        self.min_demos = min(self.min_demos, self.max_demos)
        self.candidates_per_step = candidates_per_step
        self.explore = explore
        self.include_baseline = include_baseline
        self.seed = seed

    def _rng(self, step: int) -> random.Random:
        return random.Random(f"exemplars:{self.seed}:{step}")

    def _random_set(self, rng: random.Random) -> list[dict[str, Any]]:
        k = rng.randint(self.min_demos, self.max_demos)
        return [self.pool[i] for i in rng.sample(range(len(self.pool)), k)]

    def _mutate(self, demos: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
        current = list(demos)
        others = [d for d in self.pool if d not in current]
        moves = ["swap"] if others and current else []
        if others and len(current) < self.max_demos:
            moves.append("add")
        if len(current) > self.min_demos:
            moves.append("drop")
        if not moves:
            return self._random_set(rng)
        move = rng.choice(moves)
        if move == "swap":
            current[rng.randrange(len(current))] = rng.choice(others)
        elif move == "add":
            current.insert(rng.randrange(len(current) + 1), rng.choice(others))
        else:
            current.pop(rng.randrange(len(current)))
        return current

    def instruction_for(self, history: History) -> str:
        """The instruction of this step's candidates (fixed here; joint search overrides)."""
        return self.instruction

    def propose(self, history: History) -> list[Candidate | Proposal]:
        rng = self._rng(history.step)
        instruction = self.instruction_for(history)
        best = history.best
        out: list[Candidate | Proposal] = []
        if history.step == 0 and self.include_baseline and not history.ok():
            out.append(
                Proposal(
                    candidate=prompt_candidate(instruction, [], self.position),
                    meta={"source": "baseline"},
                )
            )
        best_demos = list(best.candidate.get("demos", [])) if best is not None else []
        while len(out) < self.candidates_per_step:
            if best is not None and best_demos and rng.random() >= self.explore:
                demos, source = self._mutate(best_demos, rng), "mutate-best"
            else:
                demos, source = self._random_set(rng), "random"
            out.append(
                Proposal(
                    candidate=prompt_candidate(instruction, demos, self.position),
                    meta={"source": source},
                )
            )
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pool": len(self.pool),
            "bootstrapped": sum(1 for d in self.pool if d.get("origin") == "bootstrap"),
            "min_demos": self.min_demos,
            "max_demos": self.max_demos,
            "candidates_per_step": self.candidates_per_step,
            "explore": self.explore,
            "seed": self.seed,
        }
