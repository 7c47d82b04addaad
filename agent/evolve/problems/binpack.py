"""Online bin packing (FunSearch's problem): evolve ``priority(item, bins)``.

Items arrive one at a time; each goes into the bin whose priority is highest among the bins
it fits in (FunSearch's setup: one bin per item is allocated at full capacity, so empty bins
are always on offer, after the used ones). The score of a packing is the
excess over the L1 lower bound, ``100 * (bins - L1) / L1`` with ``L1 = ceil(sum / capacity)``,
averaged over the instances (lower is better). Baselines: first fit and best fit written as
priority functions and scored by the same harness.

Two instance families, generated here from a seed (nothing downloaded):

- ``weibull``: FunSearch's Weibull(shape 3, scale 45) item sizes, capacity 100, clipped to
  1..100 and rounded; 5 instances of 250 items (the paper used 5k items).
- ``or``: OR-Library ``binpack1``-like ``u120``: 120 items uniform in 20..100, capacity 150;
  5 instances.

This module has the shape of a user problem file (see ``optagent evolve --help``); ``run`` is
sent to the sandbox as source and runs there, never here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FUNCTION = "priority"
SIGNATURE = "def priority(item: float, bins: np.ndarray) -> np.ndarray"
DIRECTION = "minimize"
DESCRIPTION = (
    "Online bin packing. Items arrive one at a time and each must be placed at once in a bin "
    "of fixed capacity. Write priority(item, bins): item is the size of the arriving item, "
    "bins is a numpy array of the remaining capacities of the bins the item fits in, in bin "
    "order (bins not used yet are at full capacity). Return a numpy array of one score "
    "per bin; the item goes into the bin with the highest score. The goal is to use as few "
    "bins as possible."
)

SEED = '''import numpy as np


def priority(item, bins):
    """First fit: prefer the earliest bin the item fits in."""
    return -np.arange(len(bins))
'''

BASELINES = {
    "first fit": SEED,
    "best fit": '''import numpy as np


def priority(item, bins):
    """Best fit: prefer the bin that the item fills most tightly."""
    return -(bins - item)
''',
}

#: A known-better heuristic: FunSearch's evolved OR-Library priority function (Romera-Paredes
#: et al. 2023, supplementary). On the Weibull instances here it beats best fit; the tests and
#: the scripted demo use it, the model is never shown it.
FUNSEARCH_OR = '''import numpy as np


def priority(item, bins):
    """Score bins by tightness, with a bonus for the best-fit bin when the fit is tight."""
    score = 1000 * np.ones(bins.shape)
    score -= bins * (bins - item)
    index = np.argmin(bins)
    score[index] *= item
    score[index] -= (bins[index] - item) ** 4
    return score
'''

FAMILIES = {"weibull": (100, 250, 5), "or": (150, 120, 5)}


def instances(seed: int = 0, family: str = "weibull") -> list[dict[str, Any]]:
    """Seeded instances ``{"capacity", "items"}`` of ``family`` (``weibull`` or ``or``)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown bin packing family {family!r}; use one of {sorted(FAMILIES)}")
    capacity, count, size = FAMILIES[family]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(size):
        if family == "weibull":
            items = np.clip(np.round(rng.weibull(3.0, count) * 45), 1, capacity)
        else:
            items = rng.integers(20, 101, count)
        out.append({"capacity": capacity, "items": [int(i) for i in items]})
    return out


def l1_bound(instance: dict[str, Any]) -> int:
    """The L1 lower bound: ``ceil(sum of sizes / capacity)``."""
    return math.ceil(sum(instance["items"]) / instance["capacity"])


def run(function: Any, instance: dict[str, Any]) -> list[int]:
    """Pack the instance online with ``function``; returns the bin of each item (sandbox).

    As in FunSearch's evaluator: one bin per item is allocated at full capacity, and each item
    is offered every bin it fits in (used ones first, in bin order, then the empty ones).
    """
    import numpy as np

    items = instance["items"]
    bins = np.full(len(items), float(instance["capacity"]))
    assignment = []
    for item in items:
        valid = np.nonzero(bins - item >= 0)[0]
        scores = np.asarray(function(float(item), bins[valid].copy()), dtype=float)
        if scores.shape != valid.shape:
            raise TypeError(
                f"priority must return one number per bin ({len(valid)}), got shape {scores.shape}"
            )
        if not np.all(np.isfinite(scores)):
            raise ValueError("priority returned a NaN or infinite score")
        chosen = int(valid[int(np.argmax(scores))])
        bins[chosen] -= item
        assignment.append(chosen)
    return assignment


def score(instance: dict[str, Any], output: Any) -> float:
    """Percent excess bins over L1 of a checked assignment (here, not in the sandbox).

    Raises:
        ValueError: the assignment is not one bin per item or overfills a bin.
    """
    items = instance["items"]
    if not isinstance(output, list) or len(output) != len(items):
        raise ValueError(f"expected one bin index per item ({len(items)})")
    loads: dict[int, int] = {}
    for item, b in zip(items, output, strict=True):
        if not isinstance(b, int) or isinstance(b, bool) or b < 0:
            raise ValueError(f"bin index {b!r} is not a non-negative integer")
        loads[b] = loads.get(b, 0) + item
    if any(load > instance["capacity"] for load in loads.values()):
        raise ValueError("a bin is filled past its capacity")
    bound = l1_bound(instance)
    return 100.0 * (len(loads) - bound) / bound
