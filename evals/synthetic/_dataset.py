"""Many engine examples at once: round-robin over families, in worker processes, in order.

The set cycles through a family list (a family may appear several times, to weight it): each
entry takes that family's next example, so a set is the same whatever the number of workers, and
a longer set extends a shorter one. With every family listed once, example ``i`` is example
``i // F`` of family ``i % F``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from evals.synthetic._engine import Example, synthesize
from evals.synthetic.families import FAMILIES

CHUNK = 64


def family_names(
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    weights: Mapping[str, int] | None = None,
) -> list[str]:
    """Sorted family names: ``include`` (default all) less ``exclude``; unknown names raise.

    ``weights`` lists a family that many times in a row (default once), so it takes that share
    of a set made by ``generate_examples``.
    """
    weights = dict(weights or {})
    unknown = [n for n in [*(include or ()), *exclude, *weights] if n not in FAMILIES]
    if unknown:
        raise KeyError(f"unknown families {unknown}; known: {', '.join(sorted(FAMILIES))}")
    chosen = sorted(include) if include else sorted(FAMILIES)
    return [n for n in chosen if n not in set(exclude) for _ in range(weights.get(n, 1))]


def generate_examples(
    n: int,
    *,
    seed: int,
    families: Sequence[str],
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> list[Example]:
    """``n`` examples in set order (see the module docstring), made by ``workers`` processes."""
    names = list(families)
    taken: Counter[str] = Counter()
    tasks: list[tuple[str, int, int]] = []
    for i in range(n):
        name = names[i % len(names)]
        tasks.append((name, taken[name], seed))
        taken[name] += 1
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    workers = workers or max(1, len(os.sched_getaffinity(0)))
    out: list[Example] = []
    if workers == 1:
        for chunk in chunks:
            out += _make(chunk)
            if on_progress:
                on_progress(len(chunk))
        return out
    # spawn, not fork: a forked child inherits the parent's solver threads mid-state (HiGHS) and
    # can hang in its first solve
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for made in pool.map(_make, chunks):
            out += made
            if on_progress:
                on_progress(len(made))
    return out


def _make(chunk: Sequence[tuple[str, int, int]]) -> list[Example]:
    return [synthesize(name, index, seed=seed) for name, index, seed in chunk]


def write_examples(examples: Sequence[Example], path: str | Path) -> Path:
    """Write examples as JSON Lines (the folder is created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")
    partial.replace(path)
    return path


def read_examples(path: str | Path) -> Iterator[dict[str, Any]]:
    """Rows of a file written by ``write_examples``."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
