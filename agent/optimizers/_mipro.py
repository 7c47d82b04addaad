"""Bayesian joint search over instructions and demo sets, in the style of MIPROv2.

MIPROv2 (Opsahl-Ong et al., 2024) first proposes a fixed menu of instruction candidates
(grounded in the task, train examples and a random "tip") and of demo sets (bootstrapped), then
lets a TPE study choose which (instruction, demo set) pair to try next, scoring on minibatches
and fully evaluating the best. Here the menu is built at step 0; every step rebuilds an Optuna
TPE study from the run's history (so a resumed run asks the same questions) and asks it for
this step's combinations. Minibatch racing and the full evaluation of each step's finalists
come from the prompt task's racing objective, as for every other prompt method.
"""

from __future__ import annotations

import json
import random
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import prompts
from agent.core import Candidate, History, Proposal, Trial
from agent.errors import MissingExtraError, ParseError, SettingError
from agent.llm import LLM
from agent.optimizers._base import Optimizer
from agent.optimizers._exemplars import prompt_candidate
from agent.optimizers._instructions import parse_instruction

_INSTRUCTION = "instruction"
_DEMOS = "demos"


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:  # pragma: no cover - depends on the install
        raise MissingExtraError("optuna", "hpo") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _demo_key(demos: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps([dict(d) for d in demos], sort_keys=True, ensure_ascii=False)


def trial_value(trial: Trial) -> float | None:
    """A trial's accuracy for the study: the full score, else a raced-out minibatch mean."""
    if trial.ok and trial.score is not None:
        return float(trial.score)
    partial = (trial.artifacts or {}).get("partial_score")
    if partial is None and trial.status == "pruned":
        scores = (trial.artifacts or {}).get("scores") or []
        partial = sum(scores) / len(scores) if scores else None
    return None if partial is None else float(partial)


class BayesianJointSearch(Optimizer):
    """MIPROv2-style search: an instruction menu x a demo-set menu, combined by Optuna TPE.

    Args:
        llm: the model that proposes instructions.
        task: one line saying what the task is.
        baseline: the baseline instruction (always instruction 0 of the menu).
        position: the instruction position every candidate keeps.
        pool: bootstrapped (and gold) demos, JSON dicts, the demo sets are drawn from.
        examples: (question, answer) pairs from train shown to the proposer.
        n_instructions: instruction menu size (the baseline included).
        n_demo_sets: demo-set menu size (set 0 is zero-shot).
        max_demos: the most demos in a set.
        candidates_per_step: combinations asked of the study per step.
        temperature, max_tokens: sampling of instruction proposals.
        seed: seeds the menus, the proposals and the TPE sampler (with the step).

    Raises:
        SettingError: a bad size.
    """

    name = "mipro"

    def __init__(
        self,
        llm: LLM,
        *,
        task: str,
        baseline: str,
        position: str,
        pool: Sequence[Mapping[str, Any]],
        examples: Sequence[tuple[str, str]] = (),
        n_instructions: int = 5,
        n_demo_sets: int = 5,
        max_demos: int = 4,
        candidates_per_step: int = 4,
        temperature: float = 1.0,
        max_tokens: int = 96,
        seed: int = 0,
    ) -> None:
        for label, value in (
            ("n_instructions", n_instructions),
            ("n_demo_sets", n_demo_sets),
            ("max_demos", max_demos),
            ("candidates_per_step", candidates_per_step),
            ("max_tokens", max_tokens),
        ):
            if value < 1:
                raise SettingError(f"mipro: {label} must be >= 1, got {value}")
        if not 0.0 <= temperature <= 2.0:
            raise SettingError(f"mipro: temperature must be in [0, 2], got {temperature}")
        self.llm = llm
        self.task = task
        self.baseline = baseline
        self.position = position
        self.pool = [dict(d) for d in pool]
        self.examples = [(str(q), str(a)) for q, a in examples]
        self.n_instructions = n_instructions
        self.max_demos = max_demos
        self.candidates_per_step = candidates_per_step
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed
        self.instructions: list[str] | None = None
        self.demo_sets = self._demo_menu(n_demo_sets)

    def _demo_menu(self, size: int) -> list[list[dict[str, Any]]]:
        """Set 0 is zero-shot; the others are seeded random draws of 1..max_demos pool demos."""
        rng = random.Random(f"mipro-demos:{self.seed}")
        menu: list[list[dict[str, Any]]] = [[]]
        seen = {_demo_key([])}
        top = min(self.max_demos, len(self.pool))
        for _ in range(50 * size):
            if len(menu) >= size or top < 1:
                break
            k = rng.randint(1, top)
            demos = [self.pool[i] for i in rng.sample(range(len(self.pool)), k)]
            if _demo_key(demos) not in seen:
                seen.add(_demo_key(demos))
                menu.append(demos)
        return menu

    def _propose_instructions(self, history: History) -> list[str]:
        """The instruction menu: the baseline, then one grounded proposal per tip."""
        menu = [self.baseline]
        for tip in range(self.n_instructions - 1):
            text = prompts.render(
                "prompt_opt/propose",
                task=self.task,
                examples=[{"question": q, "answer": a} for q, a in self.examples],
                baseline=self.baseline,
                tip=tip,
            )
            reply = self.llm.complete(
                text,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                seed=(self.seed * 1_000_003 + 7919 * tip) % (2**31 - 1),
            )[0].text
            try:
                instruction = parse_instruction(reply)
            except ParseError:
                continue  # an unusable proposal just leaves the menu shorter
            if instruction not in menu:
                menu.append(instruction)
        return menu

    def _params_of(self, candidate: Any) -> dict[str, int] | None:
        if not isinstance(candidate, Mapping) or self.instructions is None:
            return None
        try:
            i = self.instructions.index(str(candidate.get(_INSTRUCTION, "")))
        except ValueError:
            return None
        key = _demo_key(candidate.get(_DEMOS, []) or [])
        for j, demos in enumerate(self.demo_sets):
            if _demo_key(demos) == key:
                return {_INSTRUCTION: i, _DEMOS: j}
        return None

    def _candidate(self, params: Mapping[str, int]) -> dict[str, Any]:
        assert self.instructions is not None
        return prompt_candidate(
            self.instructions[params[_INSTRUCTION]],
            self.demo_sets[params[_DEMOS]],
            self.position,
        )

    def propose(self, history: History) -> list[Candidate | Proposal]:
        if self.instructions is None:
            self.instructions = self._propose_instructions(history)
        optuna = _optuna()
        distributions = {
            _INSTRUCTION: optuna.distributions.IntDistribution(0, len(self.instructions) - 1),
            _DEMOS: optuna.distributions.IntDistribution(0, len(self.demo_sets) - 1),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = optuna.samplers.TPESampler(
                seed=(self.seed * 10_007 + history.step) % (2**31 - 1),
                n_startup_trials=max(4, self.candidates_per_step),
                multivariate=True,
            )
            study = optuna.create_study(direction="maximize", sampler=sampler)
            known: dict[tuple[int, int], float] = {}
            for trial in history.trials:
                params = self._params_of(trial.candidate)
                value = trial_value(trial)
                if params is None or value is None:
                    continue
                known[(params[_INSTRUCTION], params[_DEMOS])] = value
                study.add_trial(
                    optuna.trial.create_trial(
                        params=params, distributions=distributions, value=value
                    )
                )
            seen = {
                (p[_INSTRUCTION], p[_DEMOS])
                for p in (self._params_of(t.candidate) for t in history.trials)
                if p is not None
            }
            total = len(self.instructions) * len(self.demo_sets)
            out: list[Candidate | Proposal] = []
            if history.step == 0 and (0, 0) not in seen:
                seen.add((0, 0))
                out.append(
                    Proposal(
                        candidate=self._candidate({_INSTRUCTION: 0, _DEMOS: 0}),
                        meta={"source": "baseline", "params": {_INSTRUCTION: 0, _DEMOS: 0}},
                    )
                )
            liar = (sum(known.values()) / len(known)) if known else 0.0
            attempts = 0
            while len(out) < self.candidates_per_step and len(seen) < total and attempts < 200:
                attempts += 1
                asked = study.ask(distributions)
                pair = (asked.params[_INSTRUCTION], asked.params[_DEMOS])
                if pair in seen:
                    study.tell(asked, known.get(pair, liar))
                    continue
                # A constant liar keeps the next ask of this step away from this pair.
                study.tell(asked, liar)
                seen.add(pair)
                params = {_INSTRUCTION: pair[0], _DEMOS: pair[1]}
                out.append(
                    Proposal(
                        candidate=self._candidate(params), meta={"source": "tpe", "params": params}
                    )
                )
        return out

    def state_dict(self) -> dict[str, Any]:
        return {"instructions": self.instructions}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        instructions = state.get("instructions")
        if instructions is not None and (
            not isinstance(instructions, list) or not all(isinstance(x, str) for x in instructions)
        ):
            raise SettingError(
                f"mipro: state 'instructions' must be a list of strings, got {instructions!r:.200}"
            )
        self.instructions = None if instructions is None else list(instructions)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "n_instructions": self.n_instructions,
            "n_demo_sets": len(self.demo_sets),
            "pool": len(self.pool),
            "max_demos": self.max_demos,
            "candidates_per_step": self.candidates_per_step,
            "sampler": "optuna TPE (multivariate), rebuilt from the history each step",
            "seed": self.seed,
        }
