"""Which items an eval run evaluates: a split file, a seeded sample, a limit."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from agent.errors import ConfigError
from evals.datasets import EvalItem


def select_items(
    items: Sequence[EvalItem],
    *,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    ids: Sequence[str] | None = None,
) -> list[EvalItem]:
    """The items a run evaluates: those whose id is in ``ids`` (a split), then a seeded random
    sample (kept in file order), then the first ``limit``.

    Raises:
        ConfigError: a negative count, duplicate item ids (resume needs unique ids), or an id
            in ``ids`` that the dataset does not have.
    """
    present = [item.id for item in items]
    if len(set(present)) != len(present):
        dupes = sorted({i for i in present if present.count(i) > 1})[:5]
        raise ConfigError(f"the dataset repeats item ids {dupes}; ids must be unique to resume")
    chosen = list(items)
    if ids is not None:
        wanted = {str(i) for i in ids}
        missing = sorted(wanted - {str(i) for i in present})[:5]
        if missing:
            raise ConfigError(f"the split names ids the dataset does not have: {missing}")
        chosen = [item for item in chosen if str(item.id) in wanted]
    if sample is not None:
        if sample < 1:
            raise ConfigError(f"--sample must be at least 1, got {sample}")
        picked = set(random.Random(seed).sample(range(len(chosen)), min(sample, len(chosen))))
        chosen = [item for i, item in enumerate(chosen) if i in picked]
    if limit is not None:
        if limit < 0:
            raise ConfigError(f"--limit must be >= 0, got {limit}")
        chosen = chosen[:limit]
    return chosen


def read_split(path: str | Path) -> list[str]:
    """Item ids of a split file: one per line; blank lines and ``#`` comments are skipped.

    Raises:
        ConfigError: the file cannot be read (named).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the split file {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
