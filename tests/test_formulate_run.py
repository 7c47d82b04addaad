"""The formulation agent's run directory and resume, in-process, on scripted replies
(ScriptedFakeBackend and a truncating subclass of it: fakes for scripted replies and fault
injection, never a stand-in for a model's behaviour)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from agent.core import JsonlRunStore
from agent.errors import ConfigError
from agent.formulate import SolveJournal, solve
from agent.llm import LLM, Budget, Completion, Request, ResponseCache, ScriptedFakeBackend, Usage
from tests.fakes.formulation import BAD, GOOD, PROBLEM


def _bad_then_good(request: Request, index: int) -> str:
    """BAD for the first prompt, GOOD once the solvers' error has been fed back."""
    return GOOD if any("did not work" in m.content for m in request.messages) else BAD


def _llm(run_dir: Path, backend: ScriptedFakeBackend, budget: Budget | None = None) -> LLM:
    """A model on the run's own response cache, as the CLI builds it."""
    llm = LLM(backend, cache=ResponseCache(JsonlRunStore(run_dir).cache_path))
    if budget is not None:
        llm.usage.budget = budget
    return llm


def _lines(run_dir: Path) -> list[dict]:
    text = (run_dir / "trials.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_run_directory_holds_config_journal_answer_usage_and_cache(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    backend = ScriptedFakeBackend(_bad_then_good)
    answer = solve(
        PROBLEM,
        model=_llm(run_dir, backend),
        votes=2,
        max_rounds=3,
        quantities=["doors"],
        run_dir=run_dir,
        max_tokens=512,
        time_limit=10.0,
    )
    assert answer.ok and answer.objective == pytest.approx(36.0)
    names = {p.name for p in run_dir.iterdir()}
    assert {"config.json", "trials.jsonl", "state.json", "answer.json", "best.json"} <= names
    assert {"usage.json", "cache.sqlite"} <= names

    config = json.loads((run_dir / "config.json").read_text())
    assert config["kind"] == "solve" and config["problem"] == PROBLEM
    assert (config["votes"], config["max_rounds"], config["max_tokens"]) == (2, 3, 512)
    assert config["method"] == "formulation" and config["time_limit"] == 10.0
    assert config["quantities"] == ["doors"] and config["model"] == "scripted:fake"

    lines = _lines(run_dir)
    assert [(t["index"], t["step"]) for t in lines] == [(0, 0), (1, 0), (0, 1), (1, 1)]
    first, fixed = lines[0]["artifacts"], lines[2]["artifacts"]
    assert (first["chain"], first["round"], first["reply"]) == (0, 1, BAD)
    assert first["status"] == "formulation_error" and "unknown symbol 'windowz'" in first["error"]
    assert first["objective"] is None and first["code"] == ""
    assert first["formulation"]["objective"]["expression"] == "3*doors + 5*windowz"
    assert first["finish_reason"] == "stop" and first["truncated"] is False
    assert lines[0]["status"] == "failed" and lines[0]["score"] is None
    assert fixed["status"] == "optimal" and fixed["objective"] == pytest.approx(36.0)
    assert fixed["formulation"]["objective"]["sense"] == "maximize"
    assert lines[2]["status"] == "ok" and lines[2]["score"] == pytest.approx(36.0)

    saved = json.loads((run_dir / "answer.json").read_text())
    assert saved == {"problem": PROBLEM, **json.loads(json.dumps(answer.to_dict()))}
    assert json.loads((run_dir / "best.json").read_text()) == saved
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "finished" and state["trials"] == 4
    usage = json.loads((run_dir / "usage.json").read_text())
    assert usage["calls"] == 3 and len(backend.requests) == 4, "one request of n=2, two of 1"


def test_resume_of_a_finished_run_rebuilds_the_same_answer_without_a_request(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    first = solve(PROBLEM, model=_llm(run_dir, ScriptedFakeBackend(_bad_then_good)), votes=2,
                  run_dir=run_dir)  # fmt: skip
    silent = ScriptedFakeBackend([])
    again = solve(PROBLEM, model=_llm(run_dir, silent), votes=2, run_dir=run_dir, resume=True)
    assert silent.requests == []
    assert again.to_dict() == first.to_dict()
    assert again.sensitivity == first.sensitivity and again.binding == ["plant2", "plant3"]
    assert len(_lines(run_dir)) == 4


def test_new_run_in_a_used_directory_and_mismatched_resume_are_config_errors(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    solve(PROBLEM, model=_llm(run_dir, ScriptedFakeBackend([GOOD])), run_dir=run_dir)
    llm = _llm(run_dir, ScriptedFakeBackend([GOOD]))
    with pytest.raises(ConfigError, match="already holds 1 rounds"):
        solve(PROBLEM, model=llm, run_dir=run_dir)
    with pytest.raises(ConfigError, match="problem: "):
        solve("another problem", model=llm, run_dir=run_dir, resume=True)
    with pytest.raises(ConfigError, match="votes: 1 -> 3"):
        solve(PROBLEM, model=llm, votes=3, run_dir=run_dir, resume=True)
    other = LLM(ScriptedFakeBackend([GOOD], spec="scripted:other"))
    with pytest.raises(ConfigError, match=r"model: .* -> 'scripted:other'"):
        solve(PROBLEM, model=other, run_dir=run_dir, resume=True)
    with pytest.raises(ConfigError, match="needs run_dir"):
        solve(PROBLEM, model=llm, resume=True)
    with pytest.raises(ConfigError, match="not a run directory"):
        solve(PROBLEM, model=llm, run_dir=tmp_path / "empty", resume=True)


def test_budget_stop_keeps_finished_rounds_and_resume_continues(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    backend = ScriptedFakeBackend(_bad_then_good)
    # call 1: the first request (n=2); call 2: chain 0's correction; chain 1's is refused.
    stopped = solve(
        PROBLEM,
        model=_llm(run_dir, backend, Budget(max_calls=2)),
        votes=2,
        run_dir=run_dir,
    )
    assert stopped.stopped.startswith("budget reached: calls")
    assert [len(c["rounds"]) for c in stopped.chains] == [2, 1]
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "stopped" and "budget reached" in state["reason"]
    kept = _lines(run_dir)
    assert len(kept) == 3 and len(backend.requests) == 3

    # Budgets count from the stored usage: the same limit stops again at once, unchanged.
    again = solve(
        PROBLEM,
        model=_llm(run_dir, backend, Budget(max_calls=2)),
        votes=2,
        run_dir=run_dir,
        resume=True,
    )
    assert again.stopped and len(backend.requests) == 3 and _lines(run_dir) == kept

    fresh = ScriptedFakeBackend(_bad_then_good)
    done = solve(
        PROBLEM,
        model=_llm(run_dir, fresh, Budget(max_calls=10)),
        votes=2,
        run_dir=run_dir,
        resume=True,
    )
    assert done.ok and not done.stopped and done.vote["winners"] == [0, 1]
    assert len(fresh.requests) == 1, "only chain 1's correction was left to ask for"
    assert any("did not work" in m.content for m in fresh.requests[0][0].messages)
    after = _lines(run_dir)
    assert after[:3] == kept and len(after) == 4
    assert json.loads((run_dir / "state.json").read_text())["status"] == "finished"
    assert json.loads((run_dir / "usage.json").read_text())["calls"] == 3


class InterruptingFakeBackend(ScriptedFakeBackend):
    """Fault injection: raises KeyboardInterrupt (a Ctrl-C) on its ``at``-th backend call."""

    def __init__(self, at: int) -> None:
        super().__init__(_bad_then_good)
        self.at = at
        self.calls = 0

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().generate(request, sample_indices)


def test_ctrl_c_keeps_finished_rounds_and_resume_sends_no_answered_request(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    backend = InterruptingFakeBackend(at=3)
    with pytest.raises(KeyboardInterrupt):
        solve(PROBLEM, model=_llm(run_dir, backend), votes=3, run_dir=run_dir)
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "interrupted" and state["step"] == 1
    kept = _lines(run_dir)
    assert [(t["index"], t["step"]) for t in kept] == [(0, 0), (1, 0), (2, 0), (0, 1)]
    answered = {req.cache_key(backend.spec, i) for req, i in backend.requests}

    fresh = ScriptedFakeBackend(_bad_then_good)
    answer = solve(PROBLEM, model=_llm(run_dir, fresh), votes=3, run_dir=run_dir, resume=True)
    assert answer.ok and answer.vote["winners"] == [0, 1, 2]
    resent = {req.cache_key(fresh.spec, i) for req, i in fresh.requests}
    assert not resent & answered and len(fresh.requests) == 2
    assert _lines(run_dir)[:4] == kept


class TruncatingFakeBackend(ScriptedFakeBackend):
    """Scripted replies that report finish reason ``length`` (cut off at max_tokens) until
    the feedback says so, then a complete reply."""

    def __init__(self, complete: str, cut: int = 40) -> None:
        super().__init__(lambda request, index: complete)
        self.complete = complete
        self.cut = cut

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        out = []
        for completion in super().generate(request, sample_indices):
            if any("cut off" in m.content for m in request.messages):
                out.append(completion)
                continue
            out.append(
                Completion(
                    text=completion.text[: self.cut],
                    usage=Usage(1, request.max_tokens),
                    finish_reason="length",
                    sample_index=completion.sample_index,
                )
            )
        return out


def test_truncated_reply_is_reported_in_record_feedback_and_answer(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    backend = TruncatingFakeBackend(GOOD)
    answer = solve(PROBLEM, model=_llm(run_dir, backend), max_tokens=64, run_dir=run_dir)
    assert answer.ok and answer.truncated_rounds == 1
    first = answer.chains[0]["rounds"][0]
    assert first["status"] == "truncated" and first["truncated"] is True
    assert first["finish_reason"] == "length" and first["reply"] == GOOD[:40]
    assert first["error"].startswith("the reply was cut off at the 64-token limit")
    assert "no valid JSON object" in first["error"], "the parser's own text is kept"
    feedback = "\n".join(m.content for m in backend.requests[-1][0].messages)
    assert 'cut off at the 64-token limit before it was complete (finish reason "length")' in (
        feedback
    )
    assert first["error"] in feedback
    journal = _lines(run_dir)[0]
    assert journal["artifacts"]["status"] == "truncated" and journal["status"] == "skipped"
    assert json.loads((run_dir / "answer.json").read_text())["truncated_rounds"] == 1


def test_answer_of_only_truncated_replies_says_so() -> None:
    answer = solve(PROBLEM, model=LLM(TruncatingFakeBackend(GOOD)), max_rounds=1, max_tokens=64)
    assert answer.status == "truncated" and not answer.ok
    assert "cut off at its token limit" in answer.explanation
    assert "--max-new-tokens" in answer.explanation


def test_truncated_code_reply_is_reported_as_truncated() -> None:
    code = 'import json\nresult = {"objective": 12.0, "variables": {"x": 4.0}}\n'
    backend = TruncatingFakeBackend(code, cut=30)
    answer = solve(PROBLEM, model=LLM(backend), method="code", max_rounds=2, max_tokens=16)
    rounds = answer.chains[0]["rounds"]
    assert [r["status"] for r in rounds] == ["truncated", "code_ok"]
    assert any("cut off" in m.content for m in backend.requests[-1][0].messages)
    assert answer.objective == pytest.approx(12.0) and answer.truncated_rounds == 1


def test_journal_rejects_a_foreign_run(tmp_path: Path) -> None:
    store = JsonlRunStore(tmp_path / "opro")
    store.write_config({"kind": "opro-showcase"})
    with pytest.raises(ConfigError, match="kind 'opro-showcase', not 'solve'"):
        SolveJournal(store).config()


def test_solution_round_trips_through_its_dict() -> None:
    from solvers import solve as solve_model
    from solvers.backends import Solution
    from solvers.formulation import compile_formulation, load_formulation

    solution = solve_model(compile_formulation(load_formulation(json.loads(GOOD))))
    assert solution.sensitivity is not None and solution.sensitivity.binding
    again = Solution.from_dict(json.loads(json.dumps(solution.to_dict())))
    assert again.to_dict() == solution.to_dict()
    assert again.status is solution.status and again.problem_class is solution.problem_class
