"""kill -9 mid-run, then resume, for each run kind (OPRO, prompt optimization, Trace, solve,
eval, chat, hpo, evolve): no finished trial (round, item, turn, Optuna trial, evolved program)
is lost or recorded twice, and no call answered before the kill is paid again.
The same measurement as evals/bench/bench_kill9.py, one kill per kind at its middle point
(its opt-in better-together row fine-tunes a model: tests/test_together.py kills that one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.bench.bench_kill9 import KIND, KINDS, kill_and_resume


@pytest.mark.parametrize("kind", KINDS)
def test_kill9_mid_run_then_resume_loses_nothing_and_pays_nothing_twice(
    kind: str, tmp_path: Path
) -> None:
    (tmp_path / "clean").mkdir()
    clean = tmp_path / "clean" / "run"
    points = KIND[kind].clean(clean)
    assert points >= 3, "the uninterrupted run should have a middle to kill in"
    (tmp_path / "killed").mkdir()
    counts = kill_and_resume(kind, points // 2 + 1, tmp_path / "killed", clean)
    assert counts["trials_before_kill"] > 0 and counts["calls_answered_before_kill"] > 0
    assert counts["trials_lost"] == 0
    assert counts["trials_scored_twice"] == 0
    assert counts["calls_paid_twice"] == 0
    assert counts["trials_after_resume"] >= counts["trials_before_kill"]
