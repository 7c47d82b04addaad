"""OPRO on the real embedded model: one short step, every reply journaled as a trial."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.llm import load
from agent.tasks import LinearRegressionTask, OproSettings, run_showcase

# The embedded model and llama-cpp-python are core dependencies: a missing one fails here.
pytestmark = pytest.mark.llm


def test_one_opro_step_on_the_embedded_model(tmp_path: Path) -> None:
    llm = load("local", cache=str(tmp_path / "cache.sqlite"))
    settings = OproSettings(steps=2, candidates_per_step=2, max_tokens=24, initial=3)
    result = run_showcase(
        LinearRegressionTask(seed=0), llm, settings, run_dir=tmp_path / "lr", baseline=False
    )
    (arm,) = result.arms
    trials = (tmp_path / "lr" / "trials.jsonl").read_text().splitlines()
    assert arm.status == "finished" and arm.calls == 1
    assert len(trials) == 3 + 2  # three starting pairs, then one slot per sampled reply
    assert arm.tokens > 0
