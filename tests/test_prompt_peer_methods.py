"""The MIPROv2-style (``mipro``) and GEPA-style (``gepa``) prompt optimizers on a scripted fake
model: they run on the shared loop, respect the call budget, resume after SIGKILL, save and
load, and GEPA's Pareto frontier keeps a candidate that is best on only some examples. The
fake is a scripted reply function; the optimizers, the loop and the journal are real."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.core import History, Trial
from agent.llm import LLM, Budget, Request, ScriptedFakeBackend
from agent.optimizers import BayesianJointSearch, ReflectivePareto, pareto_frontier
from agent.tasks.prompt import PromptResult, builtin_task, optimize_prompt
from tests.test_prompt_optimize import fake_llm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def splits():
    return builtin_task("arithmetic").splits(seed=0, sizes=(20, 8, 10))


def test_mipro_builds_menus_then_tpe_finds_a_demo_set(splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method="mipro",
        steps=4,
        candidates_per_step=3,
        bootstrap=10,
        testset=splits.test,
        run_dir=tmp_path / "run",
    )
    assert result.status == "finished"
    # The fake answers right only with >= 2 demos: the study must have found such a set.
    assert result.val_score == 1.0 and len(result.demos) >= 2
    assert result.baseline_val_score == 0.0 and result.test_score == 1.0
    sources = [h["source"] for h in result.history]
    assert sources[0] == "baseline" and sources.count("tpe") >= 6
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    instructions = state["optimizer"]["instructions"]
    assert instructions[0] == task.instruction
    assert any(i.startswith("Solve it carefully") for i in instructions[1:])
    pairs = [(h["instruction"], h["demos"]) for h in result.history if h["status"] != "skipped"]
    assert len(pairs) == len(result.history)  # the study never asked for a pair twice


def test_gepa_reflects_on_failures_from_the_frontier(splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method="gepa",
        steps=3,
        candidates_per_step=2,
        run_dir=tmp_path / "run",
    )
    assert result.status == "finished"
    sources = [h["source"] for h in result.history]
    assert sources[0] == "baseline" and "reflect" in sources
    trials = [json.loads(x) for x in (tmp_path / "run" / "trials.jsonl").read_text().splitlines()]
    full = [t for t in trials if t["status"] == "ok"]
    assert all(len(t["artifacts"]["scores"]) == len(splits.val) for t in full)
    assert any((t["meta"] or {}).get("parent") == 0 for t in trials)


@pytest.mark.parametrize("method", ["mipro", "gepa"])
def test_new_methods_respect_max_calls(method: str, splits) -> None:
    result = optimize_prompt(
        builtin_task("arithmetic").task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method=method,  # type: ignore[arg-type]  # parametrized over the new methods
        steps=20,
        bootstrap=10,
        budget=Budget(max_calls=70),
        cache=False,
    )
    assert result.status == "stopped" and "calls" in result.reason
    assert result.usage["calls"] <= 70


@pytest.mark.parametrize("method", ["mipro", "gepa"])
def test_new_methods_save_and_load(method: str, splits, tmp_path: Path) -> None:
    result = optimize_prompt(
        builtin_task("arithmetic").task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method=method,  # type: ignore[arg-type]  # parametrized over the new methods
        steps=2,
        bootstrap=10,
    )
    loaded = PromptResult.load(result.save(tmp_path / "prompt.json"))
    assert loaded.to_dict() == result.to_dict() and loaded.method == method
    question = "Anna has 3 pens and gets 2 more. How many pens does Anna have now?"
    assert loaded.run(question, fake_llm()) == result.run(question, fake_llm())


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
    splits = builtin_task("arithmetic").splits(seed=0, sizes=(20, 8, 10))
    llm = LLM(ScriptedFakeBackend(dying), cache=None)
    optimize_prompt(builtin_task("arithmetic").task, splits.train, splits.val, model=llm,
                    method={method!r}, steps=4, candidates_per_step=3, bootstrap=10,
                    run_dir={run!r})
    """
)


@pytest.mark.parametrize(("method", "kill_after"), [("mipro", 20 + 4 + 30), ("gepa", 20)])
def test_new_methods_resume_after_kill9(method: str, kill_after: int, splits, tmp_path) -> None:
    run = tmp_path / "killed"
    script = _KILLED_RUN.format(root=str(ROOT), kill_after=kill_after, run=str(run), method=method)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    before = (run / "trials.jsonl").read_text().splitlines()
    assert before  # something finished before the kill
    kwargs = dict(method=method, steps=4, candidates_per_step=3, bootstrap=10)
    task = builtin_task("arithmetic").task
    resumed = optimize_prompt(
        task, splits.train, splits.val, model=fake_llm(), run_dir=run, resume=True, **kwargs
    )  # type: ignore[arg-type]  # keyword arguments of one method, typed as a dict here
    clean = optimize_prompt(
        task, splits.train, splits.val, model=fake_llm(), run_dir=tmp_path / "clean", **kwargs
    )  # type: ignore[arg-type]  # as above
    assert resumed.status == "finished"
    after = (run / "trials.jsonl").read_text().splitlines()
    assert after[: len(before)] == before  # finished trials kept, not redone
    assert [h["instruction"] for h in resumed.history] == [h["instruction"] for h in clean.history]
    assert resumed.candidate == clean.candidate


def _trial(number: int, scores: list[float], instruction: str) -> Trial:
    failures = [
        {"question": f"q{e}", "target": "1", "output": "0"} for e, s in enumerate(scores) if s < 1
    ]
    return Trial(
        number,
        0,
        number,
        {"instruction": instruction, "demos": [], "position": "Q_begin"},
        score=sum(scores) / len(scores),
        artifacts={"scores": scores, "failures": failures},
    )


def test_pareto_frontier_keeps_a_candidate_best_on_only_a_subset() -> None:
    rows = {
        0: [1.0, 1.0, 1.0, 0.0, 0.0],
        1: [0.0, 0.0, 0.0, 1.0, 0.0],
        2: [1.0, 0.0, 0.0, 0.0, 0.0],
    }
    assert pareto_frontier(rows) == {0: 3, 1: 1}  # 1 leads one example; 2 is dominated by 0
    assert pareto_frontier({0: [1.0, 0.0], 1: [1.0, 0.0]}) == {0: 1}  # equal rows: first stays
    with pytest.raises(ValueError, match="same examples"):
        pareto_frontier({0: [1.0], 1: [1.0, 0.0]})


def test_gepa_evolves_the_subset_winner_and_merges_it() -> None:
    history_trials = [
        _trial(0, [1.0, 1.0, 1.0, 0.0, 0.0], "broad"),
        _trial(1, [0.0, 0.0, 0.0, 1.0, 0.0], "narrow"),
        _trial(2, [1.0, 0.0, 0.0, 0.0, 0.0], "dominated"),
    ]
    seen: list[str] = []

    def reply(request: Request, index: int) -> str:
        seen.append(request.messages[-1].content)
        return f"<INS>Rewrite {len(seen)}.</INS>"

    gepa = ReflectivePareto(
        LLM(ScriptedFakeBackend(reply)),
        task="count things",
        baseline={"instruction": "", "demos": [], "position": "Q_begin"},
        examples=[(f"q{e}", "1") for e in range(5)],
        candidates_per_step=4,
        merge_every=2,
    )
    parents: list[int] = []
    for step in range(6):
        history = History(history_trials, step=step)
        assert gepa.frontier(history) == {0: 3, 1: 1}
        for proposal in gepa.propose(history):
            meta = proposal.meta or {}
            parents.extend(meta.get("parents", [meta.get("parent")]))
    assert 1 in parents  # the low-average, one-example winner is evolved
    assert 2 not in parents  # the dominated one never is
    merges = [text for text in seen if "Instruction A:" in text]
    assert merges and all("broad" in t and "narrow" in t for t in merges)
    assert any("Q: q3 (correct answer: 1)" in t for t in merges)  # narrow's win is shown


def test_mipro_state_round_trips_and_rejects_junk() -> None:
    opt = BayesianJointSearch(
        fake_llm(),
        task="sums",
        baseline="Answer.",
        position="Q_begin",
        pool=[{"inputs": {"question": f"{i}+1?"}, "answer": str(i + 1)} for i in range(6)],
    )
    assert opt.demo_sets[0] == [] and len(opt.demo_sets) == 5
    opt.load_state_dict({"instructions": ["Answer.", "Be exact."]})
    assert opt.state_dict() == {"instructions": ["Answer.", "Be exact."]}
    from agent.errors import SettingError

    with pytest.raises(SettingError, match="list of strings"):
        opt.load_state_dict({"instructions": [1, 2]})
