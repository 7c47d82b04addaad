"""``EvolutionOptimizer``: EoH's operators on FunSearch-style islands, on the core loop.

A candidate is ``{"idea": words, "code": source}``. Step 0 proposes the problem's seed
program; it founds every island. Each later step (a generation) asks the model, on every
island, once per operator:

- ``e1`` (exploration): a new algorithm of a totally different form from the parents;
- ``e2`` (exploration): the parents' common backbone idea, then a new algorithm on it;
- ``m1`` (mutation): a modified version of one parent with a new idea;
- ``m2`` (mutation): one parent with different parameter settings;
- ``i1``: from scratch (only for an island with no working program yet).

Parents are drawn from the island's population (its best ``population_size`` working
programs) with probability proportional to ``1 / (rank + 1)``, so better programs are chosen
more often. Every ``reset_every`` generations the worst ``reset_fraction`` of islands (by
their best score) are emptied and refounded with the best program of a surviving island
drawn at random (FunSearch). Replies whose normalized code (``code_key``: the AST without
docstrings or comments) matches any earlier program of the run, or of the same step, are
recorded as skipped and never evaluated. Recent failure reasons are fed back in the prompts.

The island of a program, its operator and parents are in its trial's ``meta``; island
populations are computed from the history and the reset log, so the only state is the log.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import prompts
from agent.core import Candidate, History, Proposal, Trial
from agent.errors import BudgetExceeded, ParseError, SettingError
from agent.evolve._code import code_key, parse_reply
from agent.evolve._problem import Problem
from agent.llm import LLM, Message, Request
from agent.optimizers import Optimizer

OPERATORS = ("e1", "e2", "m1", "m2")
_PARENTS = {"e1": 2, "e2": 2, "m1": 1, "m2": 1, "i1": 0}


def rank_weights(count: int) -> list[float]:
    """Selection weights of ``count`` programs sorted best first: ``1 / (rank + 1)``,
    normalized.

    Example:
        >>> [round(w, 3) for w in rank_weights(3)]
        [0.545, 0.273, 0.182]
    """
    raw = [1.0 / (rank + 1) for rank in range(count)]
    total = sum(raw)
    return [w / total for w in raw]


def choose_parents(ranked: Sequence[Trial], k: int, rng: random.Random) -> list[Trial]:
    """``k`` distinct parents from ``ranked`` (best first), drawn by ``rank_weights``."""
    pool = list(ranked)
    chosen: list[Trial] = []
    while pool and len(chosen) < k:
        pick = rng.choices(range(len(pool)), weights=rank_weights(len(pool)))[0]
        chosen.append(pool.pop(pick))
    return chosen


class EvolutionOptimizer(Optimizer):
    """Evolves programs for a ``Problem`` with an LLM (EoH operators, FunSearch islands).

    Args:
        llm: the model that writes programs.
        problem: what is evolved (its description, signature and seed program are used;
            evaluation is the objective's job).
        islands: number of islands.
        operators: operators applied on every island each generation (``e1``, ``e2``,
            ``m1``, ``m2``); one model call each.
        population_size: best programs an island keeps as parents.
        parents: parents shown to the exploration operators (``e1``, ``e2``).
        reset_every: generations between island resets (0: never).
        reset_fraction: share of islands reset each time (the worst by best score; at least
            one when there are two or more islands).
        temperature, max_tokens: sampling settings of each call.
        failures_shown: recent failure reasons quoted in prompts.
        seed: seeds parent choice, resets and the request seeds.

    Raises:
        SettingError: a bad setting (named with its value).

    Example:
        >>> from agent.core import Run
        >>> from agent.evolve import EvolutionOptimizer, builtin_problem
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> code = "def select_next_node(c, d, u, m):\\n    return u[0]"
        >>> reply = "{Go to the first node.}\\n```python\\n" + code + "\\n```"
        >>> optimizer = EvolutionOptimizer(LLM(ScriptedFakeBackend([reply])),
        ...                                builtin_problem("tsp"), islands=1)
        >>> [p.candidate["idea"] for p in optimizer.propose(History([], step=0))]
        ['the seed program']
    """

    name = "evolve"

    def __init__(
        self,
        llm: LLM,
        problem: Problem,
        *,
        islands: int = 2,
        operators: Sequence[str] = OPERATORS,
        population_size: int = 6,
        parents: int = 2,
        reset_every: int = 4,
        reset_fraction: float = 0.5,
        temperature: float = 0.8,
        max_tokens: int = 400,
        failures_shown: int = 2,
        seed: int = 0,
    ) -> None:
        def bad(setting: str, value: Any, need: str) -> SettingError:
            return SettingError(f"evolve: {setting} must be {need}, got {value!r}")

        if not isinstance(islands, int) or islands < 1:
            raise bad("islands", islands, ">= 1")
        operators = tuple(operators)
        if not operators or any(op not in OPERATORS for op in operators):
            raise bad("operators", list(operators), f"a non-empty list of {list(OPERATORS)}")
        if not isinstance(population_size, int) or population_size < 1:
            raise bad("population_size", population_size, ">= 1")
        if not isinstance(parents, int) or parents < 1:
            raise bad("parents", parents, ">= 1")
        if not isinstance(reset_every, int) or reset_every < 0:
            raise bad("reset_every", reset_every, ">= 0")
        if not 0.0 < reset_fraction <= 1.0:
            raise bad("reset_fraction", reset_fraction, "in (0, 1]")
        if not 0.0 <= temperature <= 2.0:
            raise bad("temperature", temperature, "in [0, 2]")
        if not isinstance(max_tokens, int) or max_tokens < 16:
            raise bad("max_tokens", max_tokens, ">= 16")
        if not isinstance(failures_shown, int) or failures_shown < 0:
            raise bad("failures_shown", failures_shown, ">= 0")
        self.llm = llm
        self.problem = problem
        self.islands = islands
        self.operators = operators
        self.population_size = population_size
        self.parents = parents
        self.reset_every = reset_every
        self.reset_fraction = reset_fraction
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.failures_shown = failures_shown
        self.seed = seed
        self.resets: list[dict[str, Any]] = []

    # -- populations -----------------------------------------------------------------------

    def _rng(self, *parts: Any) -> random.Random:
        return random.Random("-".join(str(p) for p in (self.seed, *parts)))

    def members(self, history: History, island: int) -> list[Trial]:
        """The island's population: its best ``population_size`` working programs, best first
        (founders: the step-0 programs, or the program a reset copied in)."""
        resets = [r for r in self.resets if r["island"] == island and r["step"] <= history.step]
        by_number = {t.number: t for t in history.ok()}
        if resets:
            last = resets[-1]
            founders = [by_number[last["founder"]]] if last["founder"] in by_number else []
            since = last["step"]
        else:
            founders = [t for t in history.ok() if t.step == 0]
            since = 1
        own = [
            t
            for t in history.ok()
            if t.step >= since and t.meta.get("island") == island and t not in founders
        ]
        pool = founders + own
        ranked = History(pool, direction=history.direction).ranked()
        return ranked[: self.population_size]

    def _reset(self, history: History) -> None:
        """FunSearch's reset at the start of a scheduled generation (once per step)."""
        step = history.step
        if (
            self.islands < 2
            or not self.reset_every
            or step == 0
            or step % self.reset_every
            or any(r["step"] == step for r in self.resets)
        ):
            return
        best: list[tuple[int, Trial | None]] = []
        for island in range(self.islands):
            population = self.members(history, island)
            best.append((island, population[0] if population else None))

        def quality(entry: tuple[int, Trial | None]) -> tuple[float, int]:
            trial = entry[1]
            if trial is None or trial.score is None:
                return (float("-inf"), -entry[0])
            return (history.quality(trial.score), -entry[0])

        ordered = sorted(best, key=quality)  # worst first
        count = max(1, int(self.islands * self.reset_fraction))
        count = min(count, self.islands - 1)
        survivors = [entry for entry in ordered[count:] if entry[1] is not None]
        if not survivors:
            return
        rng = self._rng("reset", step)
        for island, _ in ordered[:count]:
            donor, founder = rng.choice(survivors)
            assert founder is not None
            self.resets.append(
                {"step": step, "island": island, "founder": founder.number, "donor": donor}
            )

    # -- prompting -------------------------------------------------------------------------

    def _failures(self, history: History) -> list[str]:
        failed = [t for t in history.trials if t.status == "failed"]
        out: list[str] = []
        for trial in reversed(failed):
            reason = trial.reason.removeprefix("ProgramFailure: ")
            if reason not in out:
                out.append(reason[:200])
            if len(out) >= self.failures_shown:
                break
        return out

    def messages(self, history: History, operator: str, parents: Sequence[Trial]) -> list[Message]:
        """The chat messages of one operator call."""
        shown = [
            {
                "idea": (t.candidate or {}).get("idea", "") or "(none given)",
                "code": (t.candidate or {}).get("code", ""),
                "score": f"{t.score:.4g}" if t.score is not None else "?",
            }
            for t in parents
        ]
        text = prompts.render(
            "evolve/offspring",
            description=self.problem.description,
            signature=self.problem.signature,
            parents=shown,
            instruction=prompts.render(f"evolve/{operator}"),
            failures=self._failures(history) if self.failures_shown else [],
            goal="lower" if history.direction == "minimize" else "higher",
        )
        return [Message("system", prompts.render("evolve/system")), Message("user", text)]

    def request_seed(self, step: int, slot: int) -> int:
        """The request seed of one call: reproducible, different per step and slot."""
        return (self.seed * 1_000_003 + step * 1_009 + slot) % (2**31 - 1)

    # -- proposing -------------------------------------------------------------------------

    def propose(self, history: History) -> list[Candidate | Proposal]:
        if history.step == 0 and not history.trials:
            seed = {"idea": "the seed program", "code": self.problem.seed_program.strip("\n")}
            return [Proposal(candidate=seed, meta={"operator": "seed", "island": None})]
        self._reset(history)
        plans: list[tuple[int, str, list[Trial]]] = []
        for island in range(self.islands):
            population = self.members(history, island)
            for slot, operator in enumerate(self.operators):
                rng = self._rng("parents", history.step, island, slot)
                if not population:
                    plans.append((island, "i1", []))
                    continue
                k = self.parents if operator in ("e1", "e2") else _PARENTS[operator]
                plans.append((island, operator, choose_parents(population, k, rng)))
        requests = [
            self.llm.request(
                self.messages(history, operator, parents),
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                seed=self.request_seed(history.step, index),
            )
            for index, (_, operator, parents) in enumerate(plans)
        ]
        replies = self._ask(requests)
        seen = {
            code_key(t.candidate["code"]): t.number
            for t in history.trials
            if isinstance(t.candidate, dict) and isinstance(t.candidate.get("code"), str)
        }
        in_step: dict[str, int] = {}
        out: list[Candidate | Proposal] = []
        for index, text in enumerate(replies):
            island, operator, parents = plans[index]
            meta: dict[str, Any] = {
                "operator": operator,
                "island": island,
                "parents": [t.number for t in parents],
                "raw": text[:1500],
            }
            try:
                idea, code = parse_reply(text, self.problem.function)
            except ParseError as exc:
                out.append(Proposal(skip_reason=f"unparseable reply: {exc}", meta=meta))
                continue
            key = code_key(code)
            meta["key"] = key
            if key in seen:
                out.append(
                    Proposal(
                        skip_reason=(
                            f"duplicate program of trial {seen[key]} (same normalized code)"
                        ),
                        meta=meta,
                    )
                )
            elif key in in_step:
                out.append(
                    Proposal(
                        skip_reason=f"duplicate program of slot {in_step[key]} in this generation",
                        meta=meta,
                    )
                )
            else:
                in_step[key] = index
                out.append(Proposal(candidate={"idea": idea, "code": code}, meta=meta))
        return out

    def _ask(self, requests: list[Request]) -> list[str]:
        """Every request's reply; under a budget, the replies that fit (the rest are never
        asked). Raises ``BudgetExceeded`` only when not even one fits."""
        budget = self.llm.usage.budget
        if budget.max_calls is not None:  # ask only what the call budget can pay for
            left = budget.max_calls - self.llm.usage.snapshot().calls
            requests = requests[: max(1, left)]
        try:
            return [comps[0].text for comps in self.llm.batch(requests)]
        except BudgetExceeded:
            replies: list[str] = []
            for request in requests:  # those answered before the stop come from the cache
                try:
                    replies.append(self.llm.batch([request])[0][0].text)
                except BudgetExceeded:
                    if not replies:
                        raise
                    break
            return replies

    # -- state -----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {"resets": [dict(r) for r in self.resets]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        resets = state.get("resets", [])
        keys = ("step", "island", "founder", "donor")
        if not isinstance(resets, list) or not all(
            isinstance(r, Mapping) and all(isinstance(r.get(k), int) for k in keys) for r in resets
        ):
            raise SettingError(
                f"evolve: state 'resets' must be a list of {{{', '.join(keys)}}} integers, "
                f"got {resets!r:.200}"
            )
        self.resets = [{k: int(r[k]) for k in keys} for r in resets]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "problem": self.problem.name,
            "function": self.problem.function,
            "islands": self.islands,
            "operators": list(self.operators),
            "population_size": self.population_size,
            "parents": self.parents,
            "reset_every": self.reset_every,
            "reset_fraction": self.reset_fraction,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "failures_shown": self.failures_shown,
            "seed": self.seed,
        }
