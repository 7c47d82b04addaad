"""Minibatch racing inside method runs: the loop's step hook, pruned trials, fewer scorer calls,
resume after a kill and budget stops. The model is the scripted fake of
tests/test_prompt_optimize.py (right only with >= 2 demos); the loop, the race and the journal
are real."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from agent.core import Evaluation, History, PartialEvaluation, Run, Trial, candidate_key
from agent.errors import BudgetExceeded
from agent.llm import Budget
from agent.optimizers import Optimizer, race, successive_halving
from agent.tasks.prompt import builtin_task, optimize_prompt
from tests._cli import run_cli
from tests.test_prompt_optimize import fake_llm

ROOT = Path(__file__).resolve().parents[1]
SIZES = (20, 24, 10)


@pytest.fixture(scope="module")
def splits():
    return builtin_task("arithmetic").splits(seed=0, sizes=SIZES)


def _journal(run_dir: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (run_dir / "trials.jsonl").read_text().splitlines()]


# -- the race engine -------------------------------------------------------------------------


def test_race_yields_raced_out_per_rung_then_finalists_winner_first() -> None:
    quality = [0.1, 0.9, 0.5, 0.7, 0.3, 0.8, 0.2, 0.6]
    asked: list[list[tuple[int, int, int]]] = []

    def score(jobs: Sequence[tuple[int, int, int]]) -> list[list[float]]:
        asked.append(list(jobs))
        return [
            [1.0 if (k * 37 % 100) / 100 < quality[i] else 0.0 for k in range(a, b)]
            for i, a, b in jobs
        ]

    verdicts = list(race(8, 40, score, min_batch=5, finalists=2))
    assert sorted(v.index for v in verdicts) == list(range(8))  # every candidate, once
    out = [v for v in verdicts if not v.finalist]
    final = [v for v in verdicts if v.finalist]
    assert len(final) == 2 and final[0].winner and not final[1].winner
    assert final[0].index == 1  # the best candidate wins
    assert all(len(v.scores) == 40 for v in final)
    assert all(len(v.scores) < 40 for v in out)
    assert [len(jobs) for jobs in asked] == [8, 4, 2]  # one call per rung, all entrants
    # Survivors are only scored on the examples a larger minibatch adds.
    assert all(a == 5 for _, a, _ in asked[1]) and all(a == 10 for _, a, _ in asked[2])
    calls = sum(len(v.scores) for v in verdicts)
    assert calls == 8 * 5 + 4 * 5 + 2 * 30 < 8 * 40
    # successive_halving runs the same engine.
    table = [[1.0 if (k * 37 % 100) / 100 < q else 0.0 for k in range(40)] for q in quality]
    result = successive_halving(
        list(range(8)), list(range(40)), lambda c, ex: [table[c][k] for k in ex], min_batch=5
    )
    assert result.best == 1 and result.calls == calls


# -- the loop's step hook --------------------------------------------------------------------


class Steps(Optimizer):
    """Proposes fixed lists, one per step (the thing under test is the loop)."""

    name = "steps"

    def __init__(self, steps: list[list[object]]) -> None:
        self.steps = steps

    def propose(self, history: History) -> list[object]:
        return list(self.steps[history.step]) if history.step < len(self.steps) else []


class HalvingObjective:
    """Prunes the lower half of each step at a fake partial score above every full score."""

    def __init__(self) -> None:
        self.seen: list[list[object]] = []

    def __call__(self, candidate: object) -> float:
        return float(candidate)  # type: ignore[arg-type]  # candidates here are numbers, typed object by the protocol

    def evaluate_step(self, candidates: Sequence[object]) -> Iterator[tuple[int, object]]:
        self.seen.append(list(candidates))
        ranked = sorted(range(len(candidates)), key=lambda i: -float(candidates[i]))  # type: ignore[arg-type]  # candidates here are numbers, typed object by the protocol
        keep = set(ranked[: max(1, len(candidates) // 2)])
        for i in range(len(candidates)):
            if i not in keep:
                yield i, PartialEvaluation(100.0, "raced out", artifacts={"n": 1})
        for i in sorted(keep):
            yield i, Evaluation(float(candidates[i]), artifacts={"n": 4})  # type: ignore[arg-type]  # candidates here are numbers, typed object by the protocol


def test_step_hook_records_pruned_trials_that_never_become_best(tmp_path: Path) -> None:
    objective = HalvingObjective()
    result = Run(
        objective, Steps([[1, 2, 3, 4], [5, 0, 4]]), store=tmp_path / "r", steps=2
    ).optimize()
    assert objective.seen == [[1, 2, 3, 4], [5, 0]]  # the duplicate 4 never enters
    by_candidate = {t.candidate: t for t in result.trials}
    assert by_candidate[1].status == by_candidate[2].status == "pruned"
    assert by_candidate[1].score is None and by_candidate[1].artifacts["partial_score"] == 100.0
    assert by_candidate[1].reason == "raced out"
    assert [t.status for t in result.trials if t.candidate == 4] == ["ok", "skipped"]
    assert result.best is not None and result.best.candidate == 5  # 100.0 partials do not count
    assert sorted((t.step, t.index) for t in result.trials) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 0),
        (1, 1),
        (1, 2),
    ]
    # A pruned trial round-trips and counts as evaluated: proposing it again is a duplicate.
    assert Trial.from_dict(json.loads(json.dumps(by_candidate[1].to_dict()))) == by_candidate[1]
    assert candidate_key(1) in result.history.seen()
    more = Run.resume(
        tmp_path / "r", objective, Steps([[1, 2, 3, 4], [5, 0, 4], [2, 9]]), steps=3
    ).optimize()
    assert [(t.candidate, t.status) for t in more.trials[len(result.trials) :]] == [
        (2, "skipped"),
        (9, "ok"),
    ]


def test_step_hook_failures_and_budget_stop(tmp_path: Path) -> None:
    class Flaky(HalvingObjective):
        def evaluate_step(self, candidates: Sequence[object]) -> Iterator[tuple[int, object]]:
            yield 0, ValueError("bad candidate")
            yield 1, Evaluation(2.0)
            if len(candidates) > 2:
                raise BudgetExceeded("calls", 3, 3)

    result = Run(Flaky(), Steps([[1, 2], [3, 4, 5]]), store=tmp_path / "r", steps=2).optimize()
    assert result.status == "stopped" and "limit" in result.reason
    statuses = [(t.candidate, t.status) for t in result.trials]
    assert statuses == [(1, "failed"), (2, "ok"), (3, "failed"), (4, "ok")]
    assert "ValueError: bad candidate" in result.trials[0].reason
    state = json.loads((tmp_path / "r" / "state.json").read_text())
    assert state["status"] == "stopped" and state["step"] == 1  # resumable at the stopped step


# -- prompt optimization with racing ------------------------------------------------------------


def _optimize(splits, racing: bool, **kw: object):
    task = builtin_task("arithmetic").task
    return optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method="exemplars",
        steps=3,
        bootstrap=10,
        racing=racing,
        min_batch=4,
        cache=False,
        testset=splits.test,
        **kw,  # type: ignore[arg-type]  # optimize_prompt keywords of mixed types, per test
    )


def test_racing_spends_fewer_scorer_calls_and_records_raced_out_candidates(
    splits, tmp_path: Path
) -> None:
    full = _optimize(splits, racing=False)
    raced = _optimize(splits, racing=True, run_dir=tmp_path / "raced")
    assert full.status == raced.status == "finished"
    assert raced.val_score == full.val_score == 1.0
    assert raced.test_score == full.test_score == 1.0
    assert raced.scorer_calls["search"] < full.scorer_calls["search"]
    # Every scorer call of the search is in the journal, and the model saw exactly those.
    assert raced.usage["calls"] == raced.scorer_calls["bootstrap"] + raced.scorer_calls["search"]
    journal = _journal(tmp_path / "raced")
    pruned = [t for t in journal if t["status"] == "pruned"]
    ok = [t for t in journal if t["status"] == "ok"]
    assert pruned and ok
    for t in pruned:
        assert t["score"] is None  # never a full score
        assert "raced out" in t["reason"]
        n = t["artifacts"]["n"]
        assert 4 <= n < SIZES[1] and len(t["artifacts"]["scores"]) == n
        assert t["artifacts"]["partial_score"] == sum(t["artifacts"]["scores"]) / n
        assert t["artifacts"]["race"]["finalist"] is False
    for t in ok:
        assert t["artifacts"]["n"] == SIZES[1] and t["artifacts"]["race"]["finalist"] is True
    assert sum(t["artifacts"]["calls"] for t in pruned + ok) == raced.scorer_calls["search"]
    rows = [h for h in raced.history if h["status"] == "pruned"]
    assert rows and all(h["score"] is None and h["partial_score"] is not None for h in rows)
    config = json.loads((tmp_path / "raced" / "config.json").read_text())
    assert config["racing"] is True and config["min_batch"] == 4


_KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from tests.test_prompt_optimize import fake_reply
    from agent.llm import LLM, ScriptedFakeBackend
    from agent.tasks.prompt import builtin_task, optimize_prompt
    calls = 0
    def dying(request, index):
        global calls
        calls += 1
        if calls > {kill_after}:
            os.kill(os.getpid(), signal.SIGKILL)
        return fake_reply(request, index)
    splits = builtin_task("arithmetic").splits(seed=0, sizes={sizes!r})
    llm = LLM(ScriptedFakeBackend(dying), cache=None)
    optimize_prompt(builtin_task("arithmetic").task, splits.train, splits.val, model=llm,
                    steps=3, bootstrap=10, racing=True, min_batch=4, run_dir={run!r})
    """
)


@pytest.mark.parametrize("kill_after", [20 + 16 + 8, 20 + 16 + 8 + 40 + 16 + 2])
def test_resume_after_a_kill_with_racing(splits, tmp_path: Path, kill_after: int) -> None:
    """Killed inside step 0's final rung, or inside step 1's first rung: the resumed run keeps
    the journal, records each slot once and ends as an uninterrupted run does."""
    task = builtin_task("arithmetic").task
    run = tmp_path / "killed"
    script = _KILLED_RUN.format(root=str(ROOT), kill_after=kill_after, run=str(run), sizes=SIZES)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode != 0, proc.stderr  # SIGKILL
    before = (run / "trials.jsonl").read_text().splitlines()
    assert before  # some of the race was recorded before the kill
    common = {"steps": 3, "bootstrap": 10, "racing": True, "min_batch": 4}
    resumed = optimize_prompt(
        task, splits.train, splits.val, model=fake_llm(), run_dir=run, resume=True, **common
    )
    clean = optimize_prompt(
        task, splits.train, splits.val, model=fake_llm(), run_dir=tmp_path / "clean", **common
    )
    assert resumed.status == "finished"
    after = (run / "trials.jsonl").read_text().splitlines()
    assert after[: len(before)] == before
    slots = [(t["step"], t["index"]) for t in _journal(run)]
    assert len(slots) == len(set(slots))  # no slot recorded twice
    strip = ("number", "finished_at", "timings", "usage")
    assert sorted(
        json.dumps({k: v for k, v in t.items() if k not in strip}, sort_keys=True)
        for t in _journal(run)
    ) == sorted(
        json.dumps({k: v for k, v in t.items() if k not in strip}, sort_keys=True)
        for t in _journal(tmp_path / "clean")
    )
    assert resumed.candidate == clean.candidate


def test_budget_stops_a_racing_search_cleanly(splits) -> None:
    # bootstrap 20 calls, step 0 races 4 x 4 then 2 x 20 (56); step 1's first rung fits
    # (16), its final rung (40) does not: the raced-out are kept, the finalists are not.
    result = _optimize(splits, racing=True, budget=Budget(max_calls=100))
    assert result.status == "stopped" and "calls" in result.reason
    assert result.usage["calls"] <= 100
    assert result.val_score is not None  # step 0's finalists are kept
    assert result.test_score is not None
    step1 = [h for h in result.history if h["step"] == 1]
    assert step1 and {h["status"] for h in step1} <= {"pruned", "skipped"}
    # The journal holds step 0 and step 1's raced-out; the rest the budget cut off (cached).
    recorded = result.scorer_calls["bootstrap"] + result.scorer_calls["search"]
    assert 20 + 56 < recorded < result.usage["calls"]


def test_cli_racing_flags(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    rows = [f"What is {i} plus zero?,{i}" for i in range(40)]
    data.write_text("q,a\n" + "\n".join(rows) + "\n")
    runs = tmp_path / "runs"
    for flag, name in (("--racing", "on"), ("--no-racing", "off")):
        out = run_cli(
            "prompt",
            "optimize",
            "--data",
            str(data),
            "--input-field",
            "q",
            "--target-field",
            "a",
            "--answer",
            "number",
            "--model",
            "echo",
            "--runs-dir",
            str(runs),
            "--name",
            name,
            "--steps",
            "2",
            "--min-batch",
            "3",
            flag,
            "--no-progress",
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stderr
    on, off = _journal(runs / "on"), _journal(runs / "off")
    assert any(t["status"] == "pruned" for t in on)
    assert not any(t["status"] == "pruned" for t in off)
    assert json.loads((runs / "on" / "config.json").read_text())["cli"]["racing"] is True
    assert json.loads((runs / "off" / "config.json").read_text())["cli"]["racing"] is False
    report_on = json.loads((runs / "on" / "report.json").read_text())
    report_off = json.loads((runs / "off" / "report.json").read_text())
    search = [r["scorer_calls"]["search"] for r in (report_on, report_off)]
    assert search[0] < search[1]
