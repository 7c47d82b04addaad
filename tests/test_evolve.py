"""Program evolution: the operators are real (parents by score, island resets on schedule, no
program evaluated twice), failures are named, and escape attempts are contained. Scripted
backends stand in for the model's replies only; every program runs in the real sandbox."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from agent.core import History, Trial
from agent.errors import ConfigError
from agent.evolve import (
    EvolutionOptimizer,
    EvolveSettings,
    builtin_problem,
    choose_parents,
    code_key,
    evolve,
    load_problem_file,
    parse_reply,
)
from agent.llm import LLM, Budget, ScriptedFakeBackend, UsageMeter
from tests._evolve_support import guess, reply, write_problem


def test_reply_parsing_and_normalized_code() -> None:
    idea, code = parse_reply(reply(guess("x * x"), "Square it."), "guess")
    assert idea == "Square it." and code == guess("x * x").strip()
    # no fence: the code starts at the def line, the prose before it is the idea
    idea, code = parse_reply("Use a product.\ndef guess(x):\n    return x*x", "guess")
    assert idea == "Use a product." and code.startswith("def guess")
    with pytest.raises(Exception, match="no def guess"):
        parse_reply("I would square the number.", "guess")
    a = "def guess(x):\n    '''Square.'''\n    # a comment\n    return x * x\n"
    b = "def guess(x): return x*x"
    assert code_key(a) == code_key(b)
    assert code_key(b) != code_key("def guess(x): return x*x + 0")


def _trial(number: int, step: int, score: float | None, island: int | None, **kw: object) -> Trial:
    code = guess(f"x + {number}")
    return Trial(
        number=number,
        step=step,
        index=number,
        candidate={"idea": f"idea {number}", "code": code},
        score=score,
        status="ok" if score is not None else kw.get("status", "failed"),  # type: ignore[arg-type]  # literal
        reason=str(kw.get("reason", "")),
        meta={"island": island},
    )


def test_parents_are_drawn_by_score(tmp_path: Path) -> None:
    # five programs on island 0, scores 1 (best) .. 5 (worst), minimized
    population = [_trial(i, 1, float(i + 1), 0) for i in range(5)]
    ranked = History(population, direction="minimize").ranked()
    counts: Counter[int] = Counter()
    rng = random.Random(7)
    for _ in range(4000):
        counts[choose_parents(ranked, 1, rng)[0].number] += 1
    order = [counts[i] for i in range(5)]
    assert order == sorted(order, reverse=True), order  # better programs are chosen more often
    assert order[0] > 2 * order[4]

    # through the optimizer: the parents it shows the model follow the same preference
    problem = load_problem_file(write_problem(tmp_path))
    backend = ScriptedFakeBackend([reply(guess("x"))])
    optimizer = EvolutionOptimizer(
        LLM(backend), problem, islands=1, operators=["m1"], population_size=5, seed=3
    )
    shown: Counter[int] = Counter()
    seed_trial = _trial(99, 0, 50.0, None)
    for step in range(2, 302):
        history = History([seed_trial, *population], direction="minimize", step=step)
        (proposal,) = optimizer.propose(history)
        shown.update(proposal.meta["parents"])  # type: ignore[union-attr]  # a Proposal
    assert shown[0] > shown[2] > shown[4], shown
    assert 99 not in shown  # the seed (worst) is outside the top-5 population


def test_islands_reset_on_schedule(tmp_path: Path) -> None:
    problem = load_problem_file(write_problem(tmp_path))
    backend = ScriptedFakeBackend([reply(guess("x"))])
    optimizer = EvolutionOptimizer(
        LLM(backend), problem, islands=4, operators=["m1"], reset_every=2, seed=1
    )
    trials = [_trial(0, 0, 9.0, None)]
    # island i's best is i + 1 (island 0 best, island 3 worst)
    trials += [_trial(1 + i, 1, float(i + 1), i) for i in range(4)]
    optimizer.propose(History(trials, direction="minimize", step=1))
    assert optimizer.resets == []  # not a reset generation
    proposals = optimizer.propose(History(trials, direction="minimize", step=2))
    resets = optimizer.resets
    assert [r["step"] for r in resets] == [2, 2]
    assert sorted(r["island"] for r in resets) == [2, 3]  # the worst half
    assert all(r["founder"] in (1, 2) and r["donor"] in (0, 1) for r in resets)
    # a reset island now holds only its founder: its parent is the founder
    by_island = {p.meta["island"]: p.meta["parents"] for p in proposals}  # type: ignore[union-attr]  # every proposal here carries meta
    for reset in resets:
        assert by_island[reset["island"]] == [reset["founder"]]
    optimizer.propose(History(trials, direction="minimize", step=3))
    assert len(optimizer.resets) == 2
    optimizer.propose(History(trials, direction="minimize", step=4))
    assert [r["step"] for r in optimizer.resets] == [2, 2, 4, 4]
    state = json.loads(json.dumps(optimizer.state_dict()))
    fresh = EvolutionOptimizer(
        LLM(backend), problem, islands=4, operators=["m1"], reset_every=2, seed=1
    )
    fresh.load_state_dict(state)
    assert fresh.state_dict() == optimizer.state_dict()
    with pytest.raises(ValueError, match="resets"):
        fresh.load_state_dict({"resets": [{"step": "x"}]})


def test_no_program_is_evaluated_twice_and_failures_are_named(tmp_path: Path) -> None:
    problem = load_problem_file(write_problem(tmp_path))
    replies = [
        reply(guess("x * x")),
        reply("def guess(x):\n    '''Same program.'''\n    return x*x  # reformatted"),
        reply(guess("x ** 2 + 0.1")),
        reply("def guess(x):\n    return 1 / 0"),
        reply("def guess(x) return x"),
        reply(guess("'text'")),
        reply("def guess(x):\n    while True:\n        pass"),
        "I cannot write code.",
        reply(guess("x ** 2 + 0.1")),  # the same as an earlier one
    ]
    llm = LLM(ScriptedFakeBackend(replies, repeat_last=True))
    settings = EvolveSettings(
        generations=3, islands=1, operators=["m1", "m2", "e1"], timeout_s=15.0, baselines=False
    )
    result = evolve(problem, llm, settings, run_dir=tmp_path / "run")
    trials = result.trials
    codes = [t.candidate["code"] for t in trials if t.status in ("ok", "failed") and t.candidate]
    keys = [code_key(c) for c in codes]
    assert len(keys) == len(set(keys)), "a program was evaluated twice"
    parsed = [c for c in codes if "def guess(x) return" not in c]  # syntax errors never run
    assert result.evaluator.sandbox_runs == len(parsed)
    assert sorted(result.evaluator.evaluated) == sorted(parsed)
    reasons = {t.reason.split(":")[1].strip() for t in trials if t.status == "failed"}
    assert reasons == {"exception", "syntax", "wrong_output", "timeout"}
    skipped = [t.reason for t in trials if t.status == "skipped"]
    assert any("duplicate program" in r for r in skipped)
    assert any("unparseable" in r for r in skipped)
    assert result.best is not None and result.best.candidate["code"] == guess("x * x").strip()
    assert result.best.score == 0.0
    # failures are fed back into later prompts
    later = [r for r, _ in llm.backend.requests][-1].messages[-1].content  # type: ignore[attr-defined]  # the scripted fake records requests
    assert "Some recent programs failed" in later
    best_py = (tmp_path / "run" / "best.py").read_text(encoding="utf-8")
    assert "return x * x" in best_py and "Score 0" in best_py
    journal = [
        json.loads(line) for line in (tmp_path / "run" / "trials.jsonl").read_text().splitlines()
    ]
    assert [j["status"] for j in journal] == [t.status for t in trials]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["valid"] == sum(1 for t in trials if t.step >= 1 and t.status == "ok")
    assert (tmp_path / "run" / "plots" / "best.png").is_file()


ESCAPES = {
    "write": "def guess(x):\n    open({target!r}, 'w').write('escaped')\n    return x * x\n",
    "network": (
        "import socket\n\ndef guess(x):\n"
        "    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')\n"
        "    return x * x\n"
    ),
    "fork": "import os\n\ndef guess(x):\n    while True:\n        os.fork()\n",
    "secret": "import os\n\ndef guess(x):\n    return len(os.environ['OPENAI_API_KEY'])\n",
}


def test_escape_attempts_are_contained_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    secret = "sk-evolve-test-secret-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    target = tmp_path / "outside" / "escaped.txt"
    target.parent.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    codes = {
        name: template.format(target=str(target), port=port) for name, template in ESCAPES.items()
    }
    problem = load_problem_file(write_problem(tmp_path))
    llm = LLM(ScriptedFakeBackend([reply(code) for code in codes.values()]))
    settings = EvolveSettings(
        generations=1,
        islands=1,
        operators=["e1", "e2", "m1", "m2"],
        timeout_s=20.0,
        baselines=False,
    )
    result = evolve(problem, llm, settings, run_dir=tmp_path / "run")
    attempts = [t for t in result.trials if t.step == 1]
    assert len(attempts) == 4
    assert all(t.status == "failed" for t in attempts), [(t.status, t.reason) for t in attempts]
    by_code = {t.candidate["code"]: t.reason for t in attempts}
    assert "PermissionError" in by_code[codes["write"].strip()]
    assert (
        "OSError" in by_code[codes["network"].strip()]
        or "Error" in by_code[codes["network"].strip()]
    )
    assert "KeyError" in by_code[codes["secret"].strip()]
    assert by_code[codes["fork"].strip()]  # a named failure (exception or timeout)
    assert not target.exists()
    with pytest.raises(OSError):
        listener.accept()  # nobody connected
    listener.close()
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file() and path.suffix != ".sqlite":
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path


def test_problem_file_errors_name_the_field(tmp_path: Path) -> None:
    path = write_problem(tmp_path)
    path.write_text(path.read_text().replace('FUNCTION = "guess"', "FUNCTION = 3"))
    with pytest.raises(ConfigError, match="FUNCTION must be a str"):
        load_problem_file(path)
    with pytest.raises(ConfigError, match="unknown problem 'knapsack'"):
        builtin_problem("knapsack")
    with pytest.raises(ConfigError, match="no problem file"):
        load_problem_file(tmp_path / "missing.py")


def test_budget_stops_the_run_and_resume_extends_it(tmp_path: Path) -> None:
    problem = load_problem_file(write_problem(tmp_path))
    replies = [reply(guess(f"x * x + {i}")) for i in range(1, 20)]
    settings = EvolveSettings(generations=5, islands=1, operators=["m1", "m2"], baselines=False)
    llm = LLM(ScriptedFakeBackend(replies), usage=UsageMeter(Budget(max_calls=3)))
    first = evolve(problem, llm, settings, run_dir=tmp_path / "run")
    assert first.status == "stopped" and "calls" in first.reason
    assert llm.usage.snapshot().calls == 3
    evaluated = [t for t in first.trials if t.status == "ok"]
    assert len(evaluated) == 1 + 3  # the seed and every paid reply
    llm = LLM(ScriptedFakeBackend(replies), usage=UsageMeter(Budget(max_calls=6)))
    again = evolve(problem, llm, settings, run_dir=tmp_path / "run", resume=True)
    assert [t.to_dict() for t in again.trials[: len(first.trials)]] == [
        t.to_dict() for t in first.trials
    ]
    assert len(again.trials) > len(first.trials)


def test_known_better_bin_packing_is_found_kept_and_written_over_http(
    fake_openai_server: object, tmp_path: Path
) -> None:
    from agent.evolve.problems import binpack
    from agent.llm import load
    from tests.fakes.openai_server import FakeOpenAIServer

    assert isinstance(fake_openai_server, FakeOpenAIServer)
    fake_openai_server.set_replies(
        [
            "I would pack greedily.",
            reply("def priority(item, bins):\n    return bins - item"),  # worst fit
            reply(binpack.FUNSEARCH_OR, "Tight fits first, with a bonus for the best fit."),
        ]
    )
    llm = load(f"openai:fake@{fake_openai_server.url}", cache=False, api_key="test-key")
    problem = builtin_problem("binpack-weibull")
    settings = EvolveSettings(generations=2, islands=1, operators=["m1", "m2", "e1"])
    result = evolve(problem, llm, settings, run_dir=tmp_path / "run")
    baselines = result.baselines
    assert set(baselines) == {"first fit", "best fit"}
    assert result.best is not None and result.best.step >= 1
    assert result.best.candidate["code"] == binpack.FUNSEARCH_OR.strip()
    assert all(result.best.score < value for value in baselines.values())
    best_py = (tmp_path / "run" / "best.py").read_text(encoding="utf-8")
    assert binpack.FUNSEARCH_OR.strip() in best_py
    # kept: later generations do not lose it, and it is evaluated once
    assert result.evaluator.evaluated.count(binpack.FUNSEARCH_OR.strip()) == 1
