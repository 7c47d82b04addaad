"""A Trace optimization is a core run: run folder, journal of steps with parameter values and
feedback, budgets, plots, and resume after SIGKILL that matches an uninterrupted run and pays
no answered call twice (scripted fake backend)."""

from __future__ import annotations

import json
from pathlib import Path

from agent.core import JsonlRunStore, Run
from agent.llm import LLM, Budget, ScriptedFakeBackend, UsageMeter
from agent.trace import TraceObjective, node
from agent.trace.optimizers import OptoPrime
from tests._kill import ROOT, kill_when_ready
from tests._trace_resume_child import LoggingFakeBackend, run


def test_a_trace_run_keeps_a_run_folder_with_values_and_feedback(tmp_path: Path) -> None:
    result = run(tmp_path / "r", LoggingFakeBackend(None))
    files = {p.name for p in (tmp_path / "r").iterdir()}
    assert {"config.json", "trials.jsonl", "state.json", "best.json", "plots"} <= files
    assert (tmp_path / "r" / "plots" / "best.png").is_file()
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert config["kind"] == "trace" and config["example"] == "numeric"
    assert config["optimizer"]["name"] == "directional" and config["fingerprint"]
    lines = [json.loads(x) for x in (tmp_path / "r" / "trials.jsonl").read_text().splitlines()]
    start = lines[0]
    assert start["step"] == 0 and start["candidate"] == {"slope": 0.5, "intercept": 0.0}
    assert "mean squared error" in start["feedback"]
    assert "#Code" in start["artifacts"]["problems"][0]
    assert any(t["meta"].get("source") == "llm" for t in lines)
    assert JsonlRunStore(tmp_path / "r").read_state()["status"] == "finished"
    assert result.directory == tmp_path / "r" and result.status == "finished"


def test_a_budget_stops_a_trace_run_and_resume_continues_it(tmp_path: Path) -> None:
    a = node(0.0, trainable=True, name="a")

    def workflow():
        loss = (a - 3) ** 2
        return -loss.value, [(loss, f"a={a.value}: loss {loss.value}" if loss.value else "")]

    replies = [json.dumps({"suggestion": {"a": v}}) for v in (1.0, 2.0, 3.0)]
    llm = LLM(ScriptedFakeBackend(replies), usage=UsageMeter(Budget(max_calls=1)))
    opt = OptoPrime([a], llm=llm, n=1, seed=1)
    first = Run(
        TraceObjective([a], workflow), opt, store=tmp_path / "r", steps=5, usage=llm.usage
    ).optimize()
    assert first.status == "stopped" and "calls" in first.reason
    assert [t.candidate for t in first.trials] == [{"a": 0.0}, {"a": 1.0}]
    llm.usage.budget = Budget()
    more = Run.resume(
        tmp_path / "r",
        TraceObjective([a], workflow),
        OptoPrime([a], llm=llm, n=1, seed=1),
        usage=llm.usage,
    ).optimize()
    assert more.status == "finished" and more.reason == "the optimizer proposed nothing more"
    assert [t.candidate["a"] for t in more.trials] == [0.0, 1.0, 2.0, 3.0]
    assert more.best.score == 0.0  # type: ignore[union-attr]  # a best exists: trials scored


def test_sigkill_mid_trace_run_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    run_dir, log_file, ready = tmp_path / "run", tmp_path / "answered.log", tmp_path / "ready"
    args = [str(run_dir), str(log_file), str(ready), "3"]
    kill_when_ready(ROOT / "tests" / "_trace_resume_child.py", args, ready)
    before = [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]
    answered = set(log_file.read_text().split())
    assert before and answered, "the kill should land after real work"

    counting = LoggingFakeBackend(None)
    resumed = run(run_dir, counting, resume=True)
    clean = run(tmp_path / "clean", LoggingFakeBackend(None))
    after = [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]
    assert after[: len(before)] == before, "finished trials are kept exactly"
    slots = [(t["step"], t["index"]) for t in after]
    assert len(slots) == len(set(slots)), "no slot is evaluated twice"

    def key(t: dict) -> tuple:
        return t["step"], t["index"], t["candidate"], t["score"], t["status"]

    uninterrupted = [t.to_dict() for t in JsonlRunStore(tmp_path / "clean").load_trials()]
    assert sorted(map(key, after)) == sorted(map(key, uninterrupted))
    resent = {req.cache_key("scripted:trace", i) for req, i in counting.requests}
    assert not resent & answered, "an already-answered request reached the backend again"
    assert resumed.values == clean.values and resumed.after == clean.after
    assert [r.applied for r in resumed.reports] == [r.applied for r in clean.reports]


def test_cli_trace_example_keeps_a_run_and_resumes_it_after_a_budget_stop(tmp_path: Path) -> None:
    from tests._cli import run_cli

    base = ["trace", "example", "numeric", "--model", "echo", "-n", "1", "--name", "num"]
    first = run_cli(*base, "--steps", "3", "--max-calls", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    run_dir = tmp_path / "runs" / "num"
    assert "resume with optagent trace example numeric --resume" in first.stderr
    assert JsonlRunStore(run_dir).read_state()["status"] == "stopped"
    calls = json.loads((run_dir / "usage.json").read_text())["calls"]
    more = run_cli(
        "trace",
        "example",
        "numeric",
        "--model",
        "echo",
        "--steps",
        "3",
        "--resume",
        str(run_dir),
        cwd=tmp_path,
    )
    assert more.returncode == 0, more.stderr
    assert JsonlRunStore(run_dir).read_state()["status"] == "finished"
    assert json.loads((run_dir / "usage.json").read_text())["calls"] > calls
    other = run_cli(
        "trace", "example", "hyper", "--model", "echo", "--resume", str(run_dir), cwd=tmp_path
    )
    assert other.returncode == 2 and "not an `optagent trace example hyper` run" in other.stderr
