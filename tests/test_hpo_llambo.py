"""The LLAMBO parts as pure functions: targets, surrogate estimates, expected improvement, and
the rendered prompts."""

from __future__ import annotations

import pytest

from agent.hpo import Param
from agent.hpo._llambo import (
    Observation,
    expected_improvement,
    plausible_bounds,
    rank_by_expected_improvement,
    render_candidate_prompt,
    render_surrogate_prompt,
    render_warmstart_prompt,
    surrogate_estimate,
    target_score,
)

SPACE = [
    Param("C", "float", 1e-3, 1e3, log=True),
    Param("kernel", "categorical", choices=("rbf", "poly")),
]


def test_the_target_lies_beyond_the_best_and_ignores_a_diverged_trial() -> None:
    assert target_score([3.0, 2.0, 1.0], minimize=True, alpha=0.1) == pytest.approx(0.9)
    assert target_score([3.0, 2.0, 1.0], minimize=False, alpha=0.1) == pytest.approx(3.1)
    with_outlier = target_score([3.0, 2.0, 1.0, 1e6], minimize=True, alpha=0.1)
    assert 0.5 < with_outlier < 1.0
    assert target_score([0.0], minimize=True, alpha=0.1) == pytest.approx(-0.1)
    assert target_score([5.0], minimize=True, alpha=0.1) == pytest.approx(4.95)


def test_surrogate_estimate_reads_numbers_and_clips_absurd_ones() -> None:
    assert surrogate_estimate(["0.5", "score: 0.7", "no idea"]) == pytest.approx((0.6, 0.1))
    assert surrogate_estimate(["nothing", ""]) is None
    mean, _ = surrogate_estimate(["1e12", "1"], bounds=plausible_bounds([1.0, 2.0]))
    assert mean == pytest.approx((3.0 + 1.0) / 2)


def test_expected_improvement_prefers_a_better_mean_then_more_spread() -> None:
    assert expected_improvement(0.5, 0.0, 1.0, minimize=True) == 0.5
    assert expected_improvement(1.5, 0.0, 1.0, minimize=True) == 0.0
    assert expected_improvement(1.5, 1.0, 1.0, minimize=True) > 0.0  # spread may pay off
    assert expected_improvement(2.0, 0.0, 1.0, minimize=False) == 1.0
    order = rank_by_expected_improvement(
        [None, (0.9, 0.0), (0.5, 0.1), (2.0, 0.0)], 1.0, minimize=True
    )
    assert order == [2, 1, 3, 0]


def test_prompts_carry_the_space_history_target_and_query() -> None:
    history = [
        Observation({"C": 1.0, "kernel": "rbf"}, 0.2),
        Observation({"C": 10.0, "kernel": "poly"}, 0.4),
    ]
    warm = render_warmstart_prompt(description="Tune it.", space=SPACE, n=3, minimize=True)
    assert "Tune it." in warm and "C: float in [0.001, 1000] (log scale)" in warm
    assert '{"C": <float from 0.001 to 1000>, "kernel": <one of "rbf", "poly">}' in warm
    cand = render_candidate_prompt(
        description="", space=SPACE, history=history, target=0.15, minimize=True, limit=30
    )
    assert cand.index('"C": 10.0') < cand.index('"C": 1.0')  # worst first, best last
    assert "score of 0.15" in cand and "Lower scores are better" in cand
    sur = render_surrogate_prompt(
        description="",
        space=SPACE,
        history=history,
        query={"C": 3.0, "kernel": "rbf"},
        minimize=True,
        limit=1,
    )
    assert sur.count("score: ") == 1 and '"C": 10.0' not in sur  # only the best one kept
    assert sur.rstrip().endswith('{"C": 3.0, "kernel": "rbf"} score:')
