"""Prompt optimization end to end on a scripted fake model: every method, save/load, budget
stop, resume after a kill, and racing. The fake is a scripted LLM reply function, never a
stand-in for the thing under test (the search, the loop, the journal)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.errors import ConfigError, ParseError
from agent.llm import LLM, Budget, Request, ScriptedFakeBackend
from agent.optimizers import parse_instruction, successive_halving
from agent.tasks.prompt import PromptResult, builtin_task, optimize_prompt

ROOT = Path(__file__).resolve().parents[1]
_Q = re.compile(r"has (\d+) \w+ and (gets|gives away) (\d+)")


def fake_reply(request: Request, index: int) -> str:
    """Meta-prompts get an instruction; questions are answered right only with >= 2 demos."""
    last = request.messages[-1].content
    if "<INS>" in last:
        return f"Sure. <INS>Solve it carefully, variant {request.seed}-{index}.</INS>"
    demos = sum(1 for m in request.messages if m.role == "assistant")
    match = _Q.search(last)
    if match is None or demos < 2:
        return "I am not sure."
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return f"{a} {'+' if op == 'gets' else '-'} {b} = {a + b if op == 'gets' else a - b}"


def fake_llm(**kw: object) -> LLM:
    return LLM(ScriptedFakeBackend(fake_reply), **kw)  # type: ignore[arg-type]  # LLM keywords passed through, typed object here


@pytest.fixture(scope="module")
def splits():
    return builtin_task("arithmetic").splits(seed=0, sizes=(20, 8, 10))


def test_exemplars_bootstraps_and_beats_the_baseline(splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method="exemplars",
        steps=2,
        testset=splits.test,
        run_dir=tmp_path / "run",
        bootstrap=10,
    )
    assert result.status == "finished"
    assert result.baseline_val_score == 0.0 and result.val_score == 1.0
    assert result.baseline_test_score == 0.0 and result.test_score == 1.0
    assert len(result.demos) >= 2
    assert all(d.origin == "bootstrap" for d in result.demos)
    assert result.demos[0].answer.count("=") == 1  # the model's own worked answer
    assert result.scorer_calls["bootstrap"] == 20  # 10 zero-shot, then 10 with gold shots
    assert result.scorer_calls["search"] == 8 * len(
        [h for h in result.history if h["status"] == "ok"]
    )
    assert result.scorer_calls["test"] == 20
    run = tmp_path / "run"
    for name in ("config.json", "trials.jsonl", "state.json", "pool.json", "result.json"):
        assert (run / name).is_file(), name
    assert json.loads((run / "config.json").read_text())["method"] == "exemplars"


def test_save_load_round_trip(splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task, splits.train, splits.val, model=fake_llm(), steps=1, bootstrap=10
    )
    path = result.save(tmp_path / "prompt.json")
    loaded = PromptResult.load(path)
    assert loaded.to_dict() == result.to_dict()
    question = {"question": "Anna has 3 pens and gets 2 more. How many pens does Anna have now?"}
    assert loaded.format(question) == result.format(question)
    assert loaded.run(question, fake_llm()) == "3 + 2 = 5"
    assert loaded.run(question["question"], fake_llm()) == "3 + 2 = 5"


@pytest.mark.parametrize("method", ["opro", "reflective", "joint"])
def test_instruction_methods_run_on_the_loop(method: str, splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        method=method,
        steps=3,
        candidates_per_step=2,
        run_dir=tmp_path / method,
        bootstrap=10,
    )
    assert result.status == "finished"
    instructions = {h["instruction"] for h in result.history if h["status"] == "ok"}
    assert task.instruction in instructions
    assert any(i and i.startswith("Solve it carefully") for i in instructions)
    if method == "joint":
        assert result.val_score == 1.0 and result.demos


def test_budget_stops_the_search_cleanly(splits) -> None:
    task = builtin_task("arithmetic").task
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        steps=5,
        bootstrap=10,
        budget=Budget(max_calls=45),
        cache=False,
        testset=splits.test,
        racing=False,  # one candidate at a time, so step 0 is partly recorded (racing: see
        # tests/test_prompt_racing.py)
    )
    assert result.status == "stopped"
    assert "calls" in result.reason
    assert result.usage["calls"] <= 45
    assert result.val_score is not None  # the best prompt so far is kept
    assert result.test_score is not None  # test scoring runs outside the search budget


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
                    steps=4, bootstrap=10, run_dir={run!r})
    """
)


def test_resume_after_a_kill_matches_an_uninterrupted_run(splits, tmp_path: Path) -> None:
    task = builtin_task("arithmetic").task
    run = tmp_path / "killed"
    script = _KILLED_RUN.format(root=str(ROOT), kill_after=20 + 8 * 5, run=str(run))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode != 0  # SIGKILL
    before = (run / "trials.jsonl").read_text().splitlines()
    assert len(before) > 0
    resumed = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        steps=4,
        bootstrap=10,
        run_dir=run,
        resume=True,
    )
    clean = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=fake_llm(),
        steps=4,
        bootstrap=10,
        run_dir=tmp_path / "clean",
    )
    assert resumed.status == "finished"
    after = (run / "trials.jsonl").read_text().splitlines()
    assert after[: len(before)] == before  # finished work kept, not redone
    assert len(resumed.history) == len(clean.history)
    assert resumed.candidate == clean.candidate


def test_resume_needs_run_dir_and_known_method(splits) -> None:
    task = builtin_task("arithmetic").task
    with pytest.raises(ConfigError, match="run_dir"):
        optimize_prompt(task, splits.train, splits.val, model=fake_llm(), resume=True)
    with pytest.raises(ConfigError, match="unknown method"):
        optimize_prompt(task, splits.train, splits.val, model=fake_llm(), method="magic")  # type: ignore[arg-type]  # the point: an unknown method must raise


def test_parse_instruction() -> None:
    assert parse_instruction("x <ins> Be exact. </INS> y") == "Be exact."
    assert parse_instruction("<INS>Unclosed but fine") == "Unclosed but fine"
    assert parse_instruction('Try "Use the numbers in the question." instead') == (
        "Use the numbers in the question."
    )
    assert parse_instruction("Add or subtract the two numbers.\nMore prose") == (
        "Add or subtract the two numbers."
    )
    with pytest.raises(ParseError, match="no <INS>"):
        parse_instruction("just prose")
    with pytest.raises(ParseError, match="empty"):
        parse_instruction("<INS> </INS>")


def test_successive_halving_finds_the_best_with_fewer_calls() -> None:
    import random

    quality = [0.2 + 0.03 * i for i in range(16)]  # candidate 15 is best
    outcomes = {
        (c, e): float(random.Random(c * 1000 + e).random() < quality[c])
        for c in range(16)
        for e in range(128)
    }

    def score(c: int, examples) -> list[float]:
        return [outcomes[(c, e)] for e in examples]

    race = successive_halving(list(range(16)), list(range(128)), score, min_batch=8)
    assert race.calls <= 16 * 128 / 2
    assert race.best >= 12  # among the top quarter
    assert race.rounds[-1].batch == 128
    assert len(race.scores[race.best]) == 128
    with pytest.raises(ValueError):
        successive_halving([], [1], score)


def test_exemplar_search_proposals_are_seeded_and_bounded() -> None:
    from agent.core import History
    from agent.optimizers import ExemplarSearch

    pool = [{"inputs": {"q": str(i)}, "answer": str(i), "origin": "bootstrap"} for i in range(6)]
    opt = ExemplarSearch(pool, instruction="Go.", max_demos=3, candidates_per_step=5, seed=1)
    first = opt.propose(History())
    again = ExemplarSearch(pool, instruction="Go.", max_demos=3, candidates_per_step=5, seed=1)
    assert [p.candidate for p in first] == [p.candidate for p in again.propose(History())]
    assert first[0].candidate == {"instruction": "Go.", "demos": [], "position": "Q_begin"}
    for proposal in first[1:]:
        demos = proposal.candidate["demos"]
        assert 1 <= len(demos) <= 3 and all(d in pool for d in demos)
    with pytest.raises(ConfigError, match="pool is empty"):
        ExemplarSearch([], instruction="Go.")


def test_builtin_metric_survives_save_and_load(tmp_path: Path) -> None:
    task = builtin_task("city").task
    result = PromptResult(task=task, instruction="Answer with the city name only.")
    loaded = PromptResult.load(result.save(tmp_path / "city.json"))
    assert loaded.task.score("Anna works in Rome.", "Rome") == 1.0
    assert loaded.task.score("Anna lives in Paris and works in Rome.", "Rome") == 0.0


def test_summary_counts_every_backend_call_and_shows_test_scoring(splits, capsys) -> None:
    """The test split's calls are in "backend calls" (kept apart from the search's budgeted
    usage), and the test-scoring phase is announced and has its own progress line."""
    from agent.tasks.prompt import report_dict, report_table

    backend = ScriptedFakeBackend(fake_reply)
    phases: list[str] = []
    result = optimize_prompt(
        builtin_task("arithmetic").task,
        splits.train,
        splits.val,
        model=LLM(backend),
        steps=1,
        bootstrap=10,
        cache=False,
        testset=splits.test,
        progress=True,
        notify=phases.append,
    )
    seen = len(backend.requests)  # every request the model answered, search and test
    assert result.test_usage["calls"] == result.scorer_calls["test"] > 0
    assert result.usage["calls"] + result.test_usage["calls"] == seen
    data = report_dict(result)
    assert (
        data["backend_calls"] == seen and data["backend_calls_test"] == result.test_usage["calls"]
    )
    assert f"backend calls {seen} (test {result.test_usage['calls']})" in str(
        report_table(result).caption
    )
    assert (
        phases[-1]
        == f"scoring the baseline and optimized prompt on {len(splits.test)} test examples"
    )
    assert "test split" in capsys.readouterr().err
    reloaded = PromptResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert reloaded.test_usage == result.test_usage
