"""An evolution run SIGKILLed mid-generation, then resumed: no evaluated candidate is lost or
evaluated again, and no answered model call is paid twice."""

from __future__ import annotations

import json
from pathlib import Path

from agent.evolve import code_key
from tests._evolve_kill_child import fake, run
from tests._evolve_support import write_problem
from tests._kill import ROOT, kill_when_ready


def _lines(run_dir: Path) -> list[str]:
    return (run_dir / "trials.jsonl").read_text(encoding="utf-8").splitlines()


def test_kill9_mid_generation_loses_no_evaluated_candidate(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    run_dir, log1, log2, ready = (
        tmp_path / "run",
        tmp_path / "paid1.log",
        tmp_path / "paid2.log",
        tmp_path / "ready",
    )
    # generation 1 holds trials 1-3: the kill lands after trial 2, before slot 3 is evaluated
    kill_when_ready(
        ROOT / "tests" / "_evolve_kill_child.py",
        ["trial", str(run_dir), str(log1), str(ready), "2", str(problem)],
        ready,
    )
    before = _lines(run_dir)
    assert len(before) == 3
    assert json.loads(before[-1])["step"] == 1
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "running" and state["step"] == 1

    result = run(problem, run_dir, fake(log2), resume=True)
    after = _lines(run_dir)
    assert after[: len(before)] == before, "the journal before the kill is kept as it was"
    assert result.status == "finished" and max(t.step for t in result.trials) == 3
    # the resumed process evaluated only programs the journal did not hold
    journaled = {
        code_key(json.loads(line)["candidate"]["code"])
        for line in before
        if json.loads(line)["status"] != "skipped"
    }
    resumed = [code_key(code) for code in result.evaluator.evaluated]
    assert journaled.isdisjoint(resumed)
    evaluated_after = [
        json.loads(line) for line in after[len(before) :] if json.loads(line)["status"] != "skipped"
    ]
    assert len(resumed) == len(evaluated_after)
    # the requests answered before the kill came from the cache, not the backend
    paid_before = set(log1.read_text().splitlines())
    paid_after = set(log2.read_text().splitlines()) if log2.exists() else set()
    assert paid_before and paid_before.isdisjoint(paid_after)
    assert (run_dir / "best.py").is_file()
