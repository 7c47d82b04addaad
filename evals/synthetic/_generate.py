"""Generate solved instances as OptiBench-shaped rows (``question``, ``results`` of named
values as strings) that also carry ``answer`` (the optimum) and the ground-truth formulation."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import prompts
from agent.errors import ConfigError
from evals.synthetic._templates import BUILDERS, SIZES, TEMPLATES, report_entries
from solvers import SolveStatus, solve

MAX_ATTEMPTS = 50
_STRIDE = 1_000_003


def _degenerate(objective: float, values: Mapping[str, float]) -> bool:
    """A trivial instance: zero objective or nothing chosen."""
    return abs(objective) < 1e-9 or all(abs(v) < 1e-9 for v in values.values())


def generate(
    n: int,
    *,
    seed: int,
    templates: Sequence[str] | None = None,
    size: str = "small",
    time_limit: float | None = None,
) -> list[dict[str, Any]]:
    """Generate ``n`` solved instances, cycling through ``templates`` in order.

    Instance ``i`` draws from ``random.Random`` seeded by ``seed`` and ``i`` (and an attempt
    counter): the same arguments always give the same rows. An instance that comes out
    infeasible, unbounded, unsolved or trivial (zero objective, nothing chosen) is drawn again.

    Args:
        n: number of rows.
        seed: the seed of the whole set.
        templates: template names from ``TEMPLATES`` (default: all, in order).
        size: ``small`` (a few variables; text a person reads) or ``large`` (72 to 240
            variables; knapsack, about 0.5-2.5 s of HiGHS each, and assignment are then
            solver-bound).
        time_limit: solver seconds per instance (None: solve to optimality).

    Returns:
        JSON-safe rows in OptiBench's shape: ``question``, ``index``, ``type`` (LP or MILP),
        ``results`` (phrase-named values as strings: the objective, under a name without
        max/min words, and variable values; the question lists the names), plus ``answer``
        (the optimum), ``template``, ``size`` and the ground-truth ``formulation`` (whose
        ``report`` maps each name to an expression).

    Raises:
        ConfigError: a bad count, template name or size; or no solvable instance drawn.
    """
    if n < 0:
        raise ConfigError(f"n must be at least 0, got {n}")
    chosen = tuple(templates) if templates is not None else TEMPLATES
    unknown = [t for t in chosen if t not in BUILDERS]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown synthetic template(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose from {', '.join(TEMPLATES)}"
        )
    if size not in SIZES:
        raise ConfigError(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    rows: list[dict[str, Any]] = []
    for index in range(n):
        template = chosen[index % len(chosen)]
        rows.append(_one(template, index, seed=seed, size=size, time_limit=time_limit))
    return rows


def _one(
    template: str, index: int, *, seed: int, size: str, time_limit: float | None
) -> dict[str, Any]:
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random((seed * _STRIDE + index) * MAX_ATTEMPTS + attempt)
        instance = BUILDERS[template](rng, size)
        report = report_entries(template, instance)
        formulation = {**instance.formulation, "report": report}
        solution = solve(formulation, time_limit=time_limit)
        if solution.status is not SolveStatus.OPTIMAL or solution.objective is None:
            continue
        if _degenerate(solution.objective, solution.values):
            continue
        if len(solution.reported) != len(report):
            continue
        names = [entry["name"] for entry in report]
        question = prompts.render(
            f"evals/synthetic/{template}", **instance.context, requested=names
        )
        return {
            "question": question,
            "index": index,
            "type": instance.kind,
            "results": {name: _text(solution.reported[name]) for name in names},
            "answer": solution.objective,
            "template": template,
            "size": size,
            "formulation": formulation,
        }
    raise ConfigError(
        f"template {template!r} gave no solvable instance in {MAX_ATTEMPTS} draws (seed {seed}, "
        f"index {index}); try another seed or a longer time limit"
    )


def _text(value: float) -> str:
    """A value as OptiBench writes it: a decimal string (``"1500.0"``), noise rounded off."""
    rounded = round(value, 6)
    return repr(rounded + 0.0)


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write rows as JSON Lines (one object per line, UTF-8); the folder is created.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
