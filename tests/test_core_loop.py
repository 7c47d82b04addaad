"""The loop, the history, the run directory and the stopping paths (budget, Ctrl-C, target)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from agent.core import Evaluation, History, JsonlRunStore, Proposal, Run, Trial
from agent.errors import BudgetExceeded, ConfigError, DataError
from agent.llm import LLM, Budget, ScriptedFakeBackend, UsageMeter
from agent.optimizers import OPRO, Optimizer, RandomSearch, parse_pair


class ListOptimizer(Optimizer):
    """Proposes fixed lists, one per step (the thing under test is the loop)."""

    name = "list"

    def __init__(self, steps: list[list[object]]) -> None:
        self.steps = steps
        self.observed: list[int] = []

    def propose(self, history: History) -> list[object]:
        return list(self.steps[history.step]) if history.step < len(self.steps) else []

    def observe(self, trial: Trial) -> None:
        self.observed.append(trial.number)


def _journal(run_dir: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (run_dir / "trials.jsonl").read_text().splitlines()]


def test_trial_round_trips_through_json() -> None:
    trial = Trial(
        3,
        1,
        2,
        [1, "a"],
        score=2.5,
        feedback="ok",
        artifacts={"k": [1]},
        meta={"raw": "x"},
        timings={"eval_s": 0.1},
        usage={"calls": 1},
    )
    assert Trial.from_dict(json.loads(json.dumps(trial.to_dict()))) == trial
    with pytest.raises(DataError, match="status"):
        Trial.from_dict({**trial.to_dict(), "status": "weird"})


def test_history_ranks_by_direction_and_hands_out_copies() -> None:
    trials = [
        Trial(0, 0, 0, "a", score=3.0, artifacts={"x": 1}),
        Trial(1, 0, 1, "b", score=1.0),
        Trial(2, 0, 2, "c", score=2.0),
        Trial(3, 1, 0, None, status="skipped"),
    ]
    low = History(trials, direction="minimize")
    high = History(trials, direction="maximize")
    assert [t.candidate for t in low.ranked()] == ["b", "c", "a"]
    assert [t.candidate for t in high.sorted_ascending(2)] == ["c", "a"]
    assert low.best_curve() == [(0, 1.0), (1, 1.0)]
    low.trials[0].artifacts["x"] = 99  # type: ignore[index]  # the point: a handed-out trial is a copy, so writing to it must not leak
    assert low.trials[0].artifacts["x"] == 1


def test_a_run_journals_every_slot_dedupes_and_records_failures(tmp_path: Path) -> None:
    def objective(c: object) -> object:
        if c == "boom":
            raise RuntimeError("no such thing")
        if c == "nan":
            return float("nan")
        return (float(len(str(c))), f"length of {c}")

    opt = ListOptimizer(
        [["aa", "b", "aa", "boom"], ["b", Proposal(skip_reason="junk"), "nan", ("t", 1)]]
    )
    result = Run(objective, opt, store=tmp_path / "r", direction="minimize", steps=5).optimize()
    lines = _journal(tmp_path / "r")
    assert [(x["step"], x["index"], x["status"]) for x in lines] == [
        (0, 2, "skipped"),
        (0, 0, "ok"),
        (0, 1, "ok"),
        (0, 3, "failed"),
        (1, 0, "skipped"),
        (1, 1, "skipped"),
        (1, 2, "failed"),
        (1, 3, "ok"),
    ]
    assert lines[3]["reason"] == "RuntimeError: no such thing"
    assert "non-finite" in str(lines[6]["reason"])
    assert lines[4]["reason"] == "duplicate of an earlier candidate (trial 2)"
    assert lines[7]["candidate"] == ["t", 1] and lines[1]["feedback"] == "length of aa"
    assert result.status == "finished" and result.best is not None
    assert result.best.candidate == "b" and opt.observed == list(range(8))
    assert json.loads((tmp_path / "r" / "best.json").read_text())["candidate"] == "b"
    assert json.loads((tmp_path / "r" / "state.json").read_text())["status"] == "finished"
    assert (tmp_path / "r" / "plots" / "best.png").stat().st_size > 1000


def test_concurrent_evaluation_records_each_trial_once(tmp_path: Path) -> None:
    active, peak, lock = [0], [0], threading.Lock()
    # Each evaluation waits until four are running at once (no sleep that merely makes overlap
    # likely): with concurrency 4 the 16 evaluations pass in four groups; with less the
    # barrier times out, the trials fail, and the asserts below say so.
    together = threading.Barrier(4, timeout=30)

    def objective(c: int) -> float:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        together.wait()
        with lock:
            active[0] -= 1
        return float(c)

    opt = ListOptimizer([list(range(8)), list(range(8, 16))])
    result = Run(objective, opt, store=tmp_path / "r", steps=2, concurrency=4).optimize()
    assert peak[0] == 4
    assert sorted(t.candidate for t in result.trials) == list(range(16))
    assert [t.number for t in result.trials] == list(range(16))


def test_a_call_budget_stops_the_run_cleanly_and_keeps_work(tmp_path: Path) -> None:
    usage = UsageMeter(Budget(max_calls=2))
    backend = ScriptedFakeBackend(lambda r, i: f"[{i}, {len(r.messages[-1].content) % 7}]")
    opro = OPRO(
        LLM(backend, usage=usage),
        parse=parse_pair,
        template="opro/linreg",
        candidates_per_step=3,
        initial=[[9, 9]],
    )
    result = Run(
        lambda c: float(sum(c)),
        opro,
        store=tmp_path / "r",
        direction="minimize",
        steps=10,
        usage=usage,
    ).optimize()
    state = json.loads((tmp_path / "r" / "state.json").read_text())
    assert result.status == "stopped" and "calls" in result.reason
    assert state["status"] == "stopped" and state["step"] == 3
    assert len(_journal(tmp_path / "r")) == len(result.trials) >= 4
    assert json.loads((tmp_path / "r" / "usage.json").read_text())["calls"] == 2


def test_budget_raised_by_the_objective_stops_without_recording_that_trial() -> None:
    def objective(c: int) -> float:
        if c == 3:
            raise BudgetExceeded("calls", 1, 1)
        return float(c)

    result = Run(objective, ListOptimizer([[1, 2, 3, 4]]), steps=1).optimize()
    assert result.status == "stopped"
    kept = [t.candidate for t in result.trials]
    assert kept[:2] == [1, 2] and 3 not in kept  # 4 may have finished alongside: it is kept


def test_ctrl_c_marks_the_run_interrupted_and_resume_finishes_it(tmp_path: Path) -> None:
    def objective(c: int) -> float:
        if c == 5 and not (tmp_path / "seen").exists():
            (tmp_path / "seen").write_text("1")
            raise KeyboardInterrupt
        return float(c)

    plan = [[1, 2], [3, 4], [5, 6], [7, 8]]
    with pytest.raises(KeyboardInterrupt):
        Run(objective, ListOptimizer(plan), store=tmp_path / "r", steps=4).optimize()
    store = JsonlRunStore(tmp_path / "r")
    assert store.read_state()["status"] == "interrupted"
    assert [t.candidate for t in store.load_trials()] == [1, 2, 3, 4]
    result = Run.resume(tmp_path / "r", objective, ListOptimizer(plan)).optimize()
    assert result.status == "finished"
    assert [t.candidate for t in result.trials] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_resume_can_extend_a_finished_run(tmp_path: Path) -> None:
    opt = RandomSearch(lambda r: r.randint(0, 10**6), candidates_per_step=3, seed=4)
    first = Run(float, opt, store=tmp_path / "r", steps=2).optimize()
    more = Run.resume(
        tmp_path / "r",
        float,
        RandomSearch(lambda r: r.randint(0, 10**6), candidates_per_step=3, seed=4),
        steps=4,
    ).optimize()
    assert [t.to_dict() for t in more.trials[:6]] == [t.to_dict() for t in first.trials]
    assert {t.step for t in more.trials} == {0, 1, 2, 3}
    assert json.loads((tmp_path / "r" / "config.json").read_text())["steps"] == 4


def test_target_and_max_evaluations_stop_early() -> None:
    hit = Run(
        float, ListOptimizer([[5, 3], [1, 0], [9]]), direction="minimize", steps=3, target=1.0
    ).optimize()
    assert hit.reason == "target 1 reached" and hit.best.score == 0.0  # type: ignore[union-attr]  # hit.best is set once the target is reached
    capped = Run(
        float, ListOptimizer([[1, 2, 3], [4, 5, 6]]), steps=2, max_evaluations=4
    ).optimize()
    assert [t.candidate for t in capped.trials] == [1, 2, 3, 4]


def test_a_run_directory_with_trials_refuses_a_fresh_start(tmp_path: Path) -> None:
    Run(float, ListOptimizer([[1]]), store=tmp_path / "r", steps=1).optimize()
    with pytest.raises(ConfigError, match="resume"):
        Run(float, ListOptimizer([[1]]), store=tmp_path / "r", steps=1)
    with pytest.raises(ConfigError, match="not a run directory"):
        Run.resume(tmp_path / "nothing", float, ListOptimizer([[1]]))


def test_objective_results_in_every_accepted_shape() -> None:
    shapes = {0: 1, 1: (2.0, "fb"), 2: Evaluation(3.0, "e", {"a": 1}), 3: {"score": 4.0}}
    result = Run(lambda c: shapes[c], ListOptimizer([[0, 1, 2, 3]]), steps=1).optimize()
    assert [t.score for t in result.trials] == [1.0, 2.0, 3.0, 4.0]
    assert result.trials[2].artifacts == {"a": 1} and result.trials[1].feedback == "fb"


def test_bad_options_are_config_errors() -> None:
    for kwargs in ({"steps": -1}, {"concurrency": 0}, {"direction": "up"}):
        with pytest.raises(ConfigError):
            Run(float, ListOptimizer([]), **kwargs)  # type: ignore[arg-type]  # the point: bad values must raise ConfigError
    with pytest.raises(ConfigError):
        RandomSearch(lambda r: 1, candidates_per_step=0)


class SetupBroken(Exception):
    """Stands for a missing sandbox: the setup's fault, not the candidate's."""


class FussyObjective:
    fatal_errors = (SetupBroken,)

    def __call__(self, candidate: int) -> float:
        if candidate == 3:
            raise SetupBroken("no sandbox")
        if candidate == 2:
            raise ValueError("a bad candidate")
        return float(candidate)


def test_an_objectives_fatal_errors_end_the_run_and_others_fail_one_trial(tmp_path: Path) -> None:
    run = Run(FussyObjective(), ListOptimizer([[1, 2], [3, 4]]), store=tmp_path / "r", steps=2)
    with pytest.raises(SetupBroken, match="no sandbox"):
        run.optimize()
    store = JsonlRunStore(tmp_path / "r")
    assert [(t.candidate, t.status) for t in store.load_trials()] == [(1, "ok"), (2, "failed")]
    assert store.read_state()["status"] == "failed"
