"""The data engine: dress a family's draft into a problem text, solve it, keep it when it checks.

One example = a problem text, the quantities it asks to report (maybe none), its compact target
and the optimum solvers/ found for it. The target quotes each sentence that states constraints
(``> `` lines) before that sentence's rows. An example is kept only when it is optimal and not
trivial, its target is admissible under the text's grammar (every number and name comes from
the text), and the target re-parsed from its own rendering solves to the same optimum.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from evals.synthetic.families import FAMILIES, Draft
from solvers import SolveStatus, solve
from solvers.compact import MAX_QUOTES, admissible, compact_to_formulation, split_sentences

MAX_ATTEMPTS = 40
#: Share of examples that ask for named quantities (OptiBench style) besides the optimum.
REPORT_SHARE = 0.3
DISTRACTOR_SHARE = 0.25
SHUFFLE_SHARE = 0.5


@dataclass(frozen=True)
class Example:
    """One verified synthetic problem (JSON-safe through ``to_dict``)."""

    family: str
    index: int
    seed: int
    kind: str
    text: str
    quantities: list[str]
    target: str
    objective: float
    reported: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class UnusableDraft(Exception):
    """A draft that is infeasible, unbounded, trivial or inadmissible: draw again."""


def synthesize(family: str, index: int, *, seed: int) -> Example:
    """Example ``index`` of ``family`` under ``seed``: deterministic, drawn again until usable.

    Raises:
        KeyError: no such family.
        RuntimeError: no usable draft in ``MAX_ATTEMPTS`` draws (a family bug).
    """
    build = FAMILIES[family].build
    reasons: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(f"{seed}:{family}:{index}:{attempt}")
        try:
            return _dress(build(rng), rng, family=family, index=index, seed=seed)
        except UnusableDraft as why:
            reasons.append(str(why))
    raise RuntimeError(
        f"family {family!r} gave no usable draft in {MAX_ATTEMPTS} draws (seed {seed}, index "
        f"{index}); last reasons: {reasons[-3:]}"
    )


def _dress(draft: Draft, rng: random.Random, *, family: str, index: int, seed: int) -> Example:
    clauses = list(draft.clauses)
    if rng.random() < SHUFFLE_SHARE:
        movable = [c for c in clauses if c.movable]
        rng.shuffle(movable)
        shuffled = iter(movable)
        clauses = [next(shuffled) if c.movable else c for c in clauses]
    sentences = [c.text for c in clauses]
    if rng.random() < DISTRACTOR_SHARE:
        sentences.insert(rng.randint(0, len(sentences)), _distractor(rng))
    text = " ".join([draft.intro, *sentences, draft.question])
    if draft.refusal:
        return Example(family, index, seed, draft.kind, text, [], f"{draft.refusal}\n", 0.0, {})
    asked: list[tuple[str, str]] = []
    if draft.quantities and rng.random() < REPORT_SHARE:
        asked = rng.sample(draft.quantities, rng.randint(1, min(3, len(draft.quantities))))
    lines = [f"{kind} {' '.join(names)}" for kind, names in draft.declarations]
    lines.append(draft.objective)
    for clause in clauses:
        if clause.rows:
            lines += [f"> {s}" for s in split_sentences(clause.text)[-MAX_QUOTES:]]
            lines += clause.rows
    lines += [f"report {k} = {expression}" for k, (_, expression) in enumerate(asked, start=1)]
    target = "\n".join(lines) + "\n"
    quantities = [phrase for phrase, _ in asked]
    if not admissible(target, text, len(quantities)):
        raise UnusableDraft(f"target not admissible under the text's grammar:\n{target}")
    objective, reported = _solve(target, quantities)
    again, _ = _solve(target, quantities)
    if not math.isclose(objective, again, rel_tol=1e-9, abs_tol=1e-9):
        raise UnusableDraft("the target does not re-solve to its optimum")
    return Example(family, index, seed, draft.kind, text, quantities, target, objective, reported)


def _solve(target: str, quantities: list[str]) -> tuple[float, dict[str, float]]:
    formulation = compact_to_formulation(target, quantities=quantities)
    solution = solve(formulation, time_limit=10)
    if solution.status is not SolveStatus.OPTIMAL or solution.objective is None:
        raise UnusableDraft(f"status {solution.status.value}")
    values = solution.values
    if abs(solution.objective) < 1e-9 or all(abs(v) < 1e-9 for v in values.values()):
        raise UnusableDraft("trivial optimum (zero objective or nothing chosen)")
    return solution.objective, dict(solution.reported)


@cache
def _distractors() -> tuple[str, ...]:
    path = Path(__file__).parent / "families" / "distractors.json"
    return tuple(json.loads(path.read_text(encoding="utf-8")))


def _distractor(rng: random.Random) -> str:
    return rng.choice(_distractors()).format(n=rng.randint(3, 40), year=rng.randint(1950, 2015))
