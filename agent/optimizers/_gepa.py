"""Reflective Pareto evolution of instructions, in the style of GEPA.

GEPA (Agrawal et al., 2025) keeps every candidate that is best on at least one validation
example (a Pareto frontier over examples, not one champion), picks a parent from that frontier
with odds by how many examples it leads, has the optimizer model reflect on the parent's
failing examples (question, the model's answer, the target) to rewrite its instruction, and now
and then merges two frontier candidates that win on different examples. The run's call budget
bounds it (``--max-calls``). Candidates are prompt dicts ``{"instruction", "demos",
"position"}``; a child keeps its parent's demos.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import prompts
from agent.core import Candidate, History, Proposal, Trial
from agent.errors import ParseError, SettingError
from agent.llm import LLM
from agent.optimizers._base import Optimizer
from agent.optimizers._instructions import parse_instruction
from agent.optimizers._opro import bucket_score


def pareto_frontier(rows: Mapping[int, Sequence[float]]) -> dict[int, int]:
    """Candidates best on at least one example and dominated by no other.

    Args:
        rows: candidate id -> per-example scores, every row over the same examples.

    Returns:
        Frontier candidate id -> the number of examples it is best on (ties count for each);
        examples nobody scores on are ignored. Of identical rows the first id stays.

    Example:
        >>> pareto_frontier({0: [1, 1, 1, 0], 1: [0, 0, 0, 1], 2: [1, 0, 0, 0]})
        {0: 3, 1: 1}
    """
    ids = list(rows)
    if not ids:
        return {}
    width = len(rows[ids[0]])
    if any(len(rows[i]) != width for i in ids):
        raise ValueError("pareto_frontier: every row must score the same examples")
    leads: dict[int, int] = {}
    for e in range(width):
        top = max(rows[i][e] for i in ids)
        if top <= 0:
            continue
        for i in ids:
            if rows[i][e] == top:
                leads[i] = leads.get(i, 0) + 1

    def dominated(a: int) -> bool:
        for b in leads:
            if b == a:
                continue
            ge = all(x >= y for x, y in zip(rows[b], rows[a], strict=True))
            if ge and (any(x > y for x, y in zip(rows[b], rows[a], strict=True)) or b < a):
                return True
        return False

    return {i: n for i, n in leads.items() if not dominated(i)}


class ReflectivePareto(Optimizer):
    """GEPA-style search: reflective mutation of Pareto-frontier parents, plus merges.

    Needs full trials to carry per-example ``artifacts["scores"]`` over the validation split
    and ``artifacts["failures"]`` (``{"question", "target", "output"}``), as
    ``agent.tasks.prompt.PromptObjective`` records.

    Args:
        llm: the optimizer model (reflection and merges).
        task: one line saying what the task is.
        baseline: the prompt candidate evaluated first.
        examples: (question, target) of each validation example, in the objective's order
            (merges show each parent's wins).
        candidates_per_step: children per step.
        merge_every: every this many steps one slot merges two frontier parents (0: never).
        max_failures: failing examples a reflection reads.
        temperature, max_tokens: sampling of rewrites.
        seed: seeds parent choice and requests (with the step).

    Raises:
        SettingError: a bad setting.
    """

    name = "gepa"

    def __init__(
        self,
        llm: LLM,
        *,
        task: str,
        baseline: Mapping[str, Any],
        examples: Sequence[tuple[str, str]] = (),
        candidates_per_step: int = 3,
        merge_every: int = 2,
        max_failures: int = 3,
        temperature: float = 0.9,
        max_tokens: int = 96,
        seed: int = 0,
    ) -> None:
        if candidates_per_step < 1:
            raise SettingError(f"gepa: candidates_per_step must be >= 1, got {candidates_per_step}")
        if merge_every < 0:
            raise SettingError(f"gepa: merge_every must be >= 0, got {merge_every}")
        if max_failures < 1:
            raise SettingError(f"gepa: max_failures must be >= 1, got {max_failures}")
        if not 0.0 <= temperature <= 2.0:
            raise SettingError(f"gepa: temperature must be in [0, 2], got {temperature}")
        if max_tokens < 1:
            raise SettingError(f"gepa: max_tokens must be >= 1, got {max_tokens}")
        self.llm = llm
        self.task = task
        self.baseline = dict(baseline)
        self.examples = [(str(q), str(t)) for q, t in examples]
        self.candidates_per_step = candidates_per_step
        self.merge_every = merge_every
        self.max_failures = max_failures
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed

    @staticmethod
    def scored(history: History) -> dict[int, Trial]:
        """Full trials with per-example scores, by trial number."""
        out: dict[int, Trial] = {}
        width = None
        for trial in history.ok():
            scores = (trial.artifacts or {}).get("scores")
            if not isinstance(scores, list) or not scores:
                continue
            if width is None:
                width = len(scores)
            if len(scores) == width:
                out[trial.number] = trial
        return out

    def frontier(self, history: History) -> dict[int, int]:
        """The Pareto frontier of the history: trial number -> examples it leads."""
        trials = self.scored(history)
        return pareto_frontier(
            {n: [float(s) for s in t.artifacts["scores"]] for n, t in trials.items()}
        )

    def _seed(self, step: int, slot: int) -> int:
        return (self.seed * 1_000_003 + 101 * step + slot) % (2**31 - 1)

    def _ask(self, text: str, step: int, slot: int) -> tuple[str | None, str]:
        reply = self.llm.complete(
            text,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            seed=self._seed(step, slot),
        )[0].text
        try:
            return parse_instruction(reply), reply
        except ParseError as exc:
            return None, f"unparseable reply: {exc}"

    def _wins(self, a: Trial, b: Trial) -> list[dict[str, str]]:
        rows = zip(a.artifacts["scores"], b.artifacts["scores"], strict=True)
        won = [e for e, (x, y) in enumerate(rows) if x > y and e < len(self.examples)]
        return [{"question": self.examples[e][0], "target": self.examples[e][1]} for e in won[:3]]

    def propose(self, history: History) -> list[Candidate | Proposal]:
        trials = self.scored(history)
        if not trials:
            if history.ok():
                return []  # scored trials without per-example rows: nothing to evolve
            return [Proposal(candidate=self.baseline, meta={"source": "baseline"})]
        front = self.frontier(history)
        if not front:  # nothing scores anywhere: evolve from the first trial
            front = {min(trials): 1}
        rng = random.Random(f"gepa:{self.seed}:{history.step}")
        ids = sorted(front)
        weights = [front[i] for i in ids]
        out: list[Candidate | Proposal] = []
        for slot in range(self.candidates_per_step):
            merge = (
                slot == 0
                and self.merge_every > 0
                and history.step % self.merge_every == 0
                and len(ids) >= 2
            )
            if merge:
                first, second = rng.sample(ids, 2)
                a, b = trials[first], trials[second]
                text = prompts.render(
                    "prompt_opt/merge",
                    task=self.task,
                    first=str(a.candidate.get("instruction", "")),
                    second=str(b.candidate.get("instruction", "")),
                    first_wins=self._wins(a, b),
                    second_wins=self._wins(b, a),
                )
                instruction, raw = self._ask(text, history.step, slot)
                better = a if (a.score or 0.0) >= (b.score or 0.0) else b
                meta: dict[str, Any] = {
                    "source": "merge", "parents": [first, second], "raw": raw[:500]
                }  # fmt: skip
                parent = better
            else:
                number = rng.choices(ids, weights=weights)[0]
                parent = trials[number]
                failures = list((parent.artifacts or {}).get("failures", []))
                if not failures:
                    continue  # perfect on validation: nothing to reflect on
                shown = rng.sample(failures, min(self.max_failures, len(failures)))
                text = prompts.render(
                    "prompt_opt/reflect",
                    task=self.task,
                    instruction=str(parent.candidate.get("instruction", "")),
                    score=bucket_score(float(parent.score or 0.0), scale=100, bucket=1),
                    failures=shown,
                )
                instruction, raw = self._ask(text, history.step, slot)
                meta = {"source": "reflect", "parent": number, "raw": raw[:500]}
            if instruction is None:
                out.append(Proposal(skip_reason=raw, meta=meta))
                continue
            child = dict(parent.candidate)
            child["instruction"] = instruction
            out.append(Proposal(candidate=child, meta=meta))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "candidates_per_step": self.candidates_per_step,
            "merge_every": self.merge_every,
            "max_failures": self.max_failures,
            "temperature": self.temperature,
            "seed": self.seed,
        }
