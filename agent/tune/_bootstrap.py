"""Self-training data: the adapter's own formulations of labelled problems, kept when they solve
to the label (rejection sampling, as in STaR).

Synthetic data teaches the compact language; it cannot teach the phrasing of real problems.
Sampling the current adapter on problems whose optimum is known, and keeping only formulations
that re-solve to that optimum, adds real phrasing with targets checked by the solver. Only a
benchmark's *training* split may be used this way: its test items measure the adapter.

The output is a JSONL file with one line per problem, kept or not, appended and flushed as each
problem finishes, so an interrupted run continues where it stopped. It holds the benchmark's
wording: like all generated data it stays out of the repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agent.errors import ConfigError


@dataclass(frozen=True)
class Labelled:
    """A problem whose optimal objective value is known."""

    id: str
    text: str
    objective: float


@dataclass(frozen=True)
class Attempt:
    """What sampling one problem gave: the first formulation that matched, if any."""

    id: str
    text: str
    kept: bool
    target: str = ""
    objective: float | None = None
    samples: int = 0
    statuses: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "kept": self.kept,
            "target": self.target,
            "objective": self.objective,
            "samples": self.samples,
            "statuses": list(self.statuses),
        }


def bootstrap(
    problems: Iterable[Labelled],
    llm: Any,
    *,
    match: Callable[[float, float], bool],
    samples: int = 4,
    temperature: float = 0.7,
    seed: int = 0,
) -> Iterator[Attempt]:
    """Sample ``samples`` compact formulations of each problem with the formulation adapter
    and yield whether one of them solved to the problem's known optimum (``match``)."""
    from agent.formulate._compact import check_compact_reply, real_line_breaks, sample_compact
    from agent.formulate._compact_prompt import compact_messages

    if samples < 1:
        raise ConfigError(f"samples must be at least 1, got {samples}")
    for index, problem in enumerate(problems):
        messages = compact_messages(real_line_breaks(problem.text), [])
        completions = sample_compact(
            llm, messages, problem.text, [], n=samples, temperature=temperature,
            seed=seed * 100_003 + index,
        )  # fmt: skip
        statuses: list[str] = []
        kept: Attempt | None = None
        for completion in completions:
            check = check_compact_reply(completion.text, [])
            statuses.append(check.status)
            value = check.objective
            if kept is None and check.ok and value is not None and match(value, problem.objective):
                kept = Attempt(problem.id, problem.text, True, completion.text, value, samples)
        attempt = kept or Attempt(problem.id, problem.text, False, samples=samples)
        yield replace(attempt, statuses=tuple(statuses))


def done_ids(path: Path) -> set[str]:
    """Ids already recorded in a bootstrap file (an interrupted run skips them)."""
    if not path.is_file():
        return set()
    return {row["id"] for row in _rows(path)}


def append(path: Path, attempt: Attempt) -> None:
    """Record one attempt durably (one JSON line, flushed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(attempt.to_dict()) + "\n")
        handle.flush()


def training_rows(path: Path) -> list[dict[str, Any]]:
    """The kept attempts of a bootstrap file as data-engine examples (``text``, ``target``)."""
    from agent.formulate._compact import real_line_breaks

    out = []
    for row in _rows(path):
        if not row.get("kept"):
            continue
        out.append({
            "family": "bootstrap", "index": len(out), "seed": 0, "kind": "",
            "text": real_line_breaks(row["text"]), "quantities": [],
            "target": row["target"], "objective": row["objective"], "reported": {},
        })  # fmt: skip
    return out


def _rows(path: Path) -> Sequence[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):
                continue  # a line cut by a crash mid-write: that problem is sampled again
            raise ConfigError(f"{path}, line {number}: not JSON") from None
    return rows
