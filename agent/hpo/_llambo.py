"""The three LLAMBO parts as pure functions over plain data: prompts, targets, scores, ranking.

LLAMBO (Liu et al., ICLR 2024) uses a language model in three places of Bayesian optimization:
a zero-shot *warm start* from a description of the problem, a *candidate sampler* asked for
configurations that would reach a target score slightly better than the best so far, and a
*surrogate* that predicts a configuration's score from the scored history (several samples
give a mean and a spread) so candidates can be ranked by expected improvement. The sampler
(``_sampler``) calls these; no Optuna import here.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import prompts
from agent.hpo._space import Param, format_config, format_hint, parse_number

__all__ = [
    "Observation",
    "expected_improvement",
    "plausible_bounds",
    "rank_by_expected_improvement",
    "render_candidate_prompt",
    "render_surrogate_prompt",
    "render_warmstart_prompt",
    "surrogate_estimate",
    "target_score",
]


@dataclass(frozen=True, slots=True)
class Observation:
    """One scored configuration of the history."""

    params: Mapping[str, Any]
    value: float


def target_score(values: Sequence[float], *, minimize: bool, alpha: float) -> float:
    """The score to ask candidates for: ``alpha`` of the typical spread beyond the best.

    The spread is the distance from the best to the median observation, not LLAMBO's
    best-to-worst range: one diverged trial (a score of 1e6) would otherwise put the target far
    beyond anything reachable. With one observation (or a median equal to the best) it is 10%
    of the best's magnitude (1.0 when the best is 0).
    """
    best = min(values) if minimize else max(values)
    spread = abs(statistics.median(values) - best)
    if spread <= 0:
        spread = abs(best) * 0.1 or 1.0
    return best - alpha * spread if minimize else best + alpha * spread


def surrogate_estimate(
    texts: Sequence[str], *, bounds: tuple[float, float] | None = None
) -> tuple[float, float] | None:
    """Mean and standard deviation of the scores predicted in several samples.

    Args:
        texts: the samples' replies; the first number of each counts.
        bounds: clip each prediction into ``[low, high]`` first, so one absurd number from a
            weak model cannot dominate the ranking.

    Returns:
        ``(mean, std)`` over the samples holding a number (std 0 for one), or ``None``.
    """
    numbers = [n for n in (parse_number(t) for t in texts) if n is not None]
    if not numbers:
        return None
    if bounds is not None:
        numbers = [min(max(n, bounds[0]), bounds[1]) for n in numbers]
    std = statistics.pstdev(numbers) if len(numbers) > 1 else 0.0
    return statistics.fmean(numbers), std


def plausible_bounds(values: Sequence[float]) -> tuple[float, float]:
    """The observed scores widened by their range on each side (1.0 when all are equal)."""
    low, high = min(values), max(values)
    width = (high - low) or abs(high) or 1.0
    return low - width, high + width


def expected_improvement(mean: float, std: float, best: float, *, minimize: bool) -> float:
    """Expected improvement over ``best`` of a normal prediction ``N(mean, std^2)``."""
    gain = best - mean if minimize else mean - best
    if std <= 0 or not math.isfinite(std):
        return max(gain, 0.0)
    z = gain / std
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return gain * cdf + std * pdf


def rank_by_expected_improvement(
    estimates: Sequence[tuple[float, float] | None], best: float, *, minimize: bool
) -> list[int]:
    """Indices of the candidates, best first: by EI, then by predicted mean; unscored last."""

    def key(i: int) -> tuple[int, float, float, int]:
        est = estimates[i]
        if est is None:
            return (1, 0.0, 0.0, i)
        ei = expected_improvement(est[0], est[1], best, minimize=minimize)
        return (0, -ei, est[0] if minimize else -est[0], i)

    return sorted(range(len(estimates)), key=key)


def _history_rows(
    history: Sequence[Observation], space: Sequence[Param], *, minimize: bool, limit: int
) -> list[dict[str, str]]:
    """The history worst first and best last, at most ``limit`` rows (the best ones kept)."""
    ordered = sorted(history, key=lambda o: o.value, reverse=minimize)
    kept = ordered[-limit:] if limit > 0 else []
    return [{"config": format_config(o.params, space), "score": f"{o.value:.6g}"} for o in kept]


def _goal(minimize: bool) -> str:
    return "lower" if minimize else "higher"


def render_warmstart_prompt(
    *, description: str, space: Sequence[Param], n: int, minimize: bool
) -> str:
    """The zero-shot warm-start prompt: ``n`` promising configurations, no history."""
    return prompts.render(
        "hpo/warmstart",
        description=description,
        params=[p.describe() for p in space],
        format=format_hint(space),
        n=n,
        goal=_goal(minimize),
    )


def render_candidate_prompt(
    *,
    description: str,
    space: Sequence[Param],
    history: Sequence[Observation],
    target: float,
    minimize: bool,
    limit: int,
) -> str:
    """Ask for one configuration expected to reach ``target``, given the scored history."""
    return prompts.render(
        "hpo/candidate",
        description=description,
        params=[p.describe() for p in space],
        names=[p.name for p in space],
        history=_history_rows(history, space, minimize=minimize, limit=limit),
        target=f"{target:.6g}",
        goal=_goal(minimize),
    )


def render_surrogate_prompt(
    *,
    description: str,
    space: Sequence[Param],
    history: Sequence[Observation],
    query: Mapping[str, Any],
    minimize: bool,
    limit: int,
) -> str:
    """Ask for the predicted score of ``query`` from the scored history (a number only)."""
    return prompts.render(
        "hpo/surrogate",
        description=description,
        params=[p.describe() for p in space],
        history=_history_rows(history, space, minimize=minimize, limit=limit),
        query=format_config(query, space),
        goal=_goal(minimize),
    )
