"""Resume: a run killed with SIGKILL mid-step continues without losing finished trials and
without sending an already-answered request to the model again."""

from __future__ import annotations

import json
from pathlib import Path

from agent.core import JsonlRunStore, Run
from agent.llm import ScriptedFakeBackend
from tests._kill import ROOT, kill_when_ready
from tests._resume_child import PER_STEP, STEPS, build, scripted_reply


def _kill_mid_run(tmp_path: Path, hang_at: int) -> tuple[Path, Path]:
    run_dir, log_file, ready = tmp_path / "run", tmp_path / "answered.log", tmp_path / "ready"
    args = [str(run_dir), str(log_file), str(ready), str(hang_at)]
    kill_when_ready(ROOT / "tests" / "_resume_child.py", args, ready)
    return run_dir, log_file


def test_sigkill_mid_step_then_resume_keeps_trials_and_pays_no_answered_call(
    tmp_path: Path,
) -> None:
    run_dir, log_file = _kill_mid_run(tmp_path, hang_at=8)
    store = JsonlRunStore(run_dir)
    before = [t.to_dict() for t in store.load_trials()]
    state = store.read_state()
    answered = set(log_file.read_text().split())
    assert state["status"] == "running" and 0 < state["step"] < STEPS
    assert len(before) >= 8 and answered, "the kill should land mid-run, after real work"
    killed_step = state["step"]
    assert any(t["step"] == killed_step for t in before), "the kill should land mid-step"

    counting = ScriptedFakeBackend(scripted_reply, spec="scripted:resume")
    task, opro = build(run_dir, counting)
    llm = opro.llm
    run = Run.resume(run_dir, task, opro, usage=llm.usage)
    restored = llm.usage.snapshot()
    assert restored.calls == json.loads((run_dir / "usage.json").read_text())["calls"] > 0
    result = run.optimize()

    after = [t.to_dict() for t in store.load_trials()]
    assert after[: len(before)] == before, "finished trials are kept exactly"
    assert result.status == "finished" and len(after) == len(result.trials)
    assert {t["step"] for t in after} == set(range(STEPS))
    slots = [(t["step"], t["index"]) for t in after]
    assert len(slots) == len(set(slots)), "no slot is evaluated twice"
    assert all(len([s for s in slots if s[0] == step]) == PER_STEP for step in range(1, STEPS))
    resent = {req.cache_key("scripted:resume", i) for req, i in counting.requests}
    assert not resent & answered, "an already-answered request reached the backend again"
    hits = llm.usage.snapshot().cache_hits - restored.cache_hits
    assert hits == PER_STEP, "the killed step's request was served by the cache"
    assert len(counting.requests) == PER_STEP * (STEPS - 1 - killed_step)


def test_a_torn_last_journal_line_is_dropped_and_the_run_resumes(tmp_path: Path) -> None:
    run_dir, _ = _kill_mid_run(tmp_path, hang_at=6)
    journal = run_dir / "trials.jsonl"
    kept = journal.read_text().splitlines()
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write('{"number": 99, "step": 1, "ind')  # a write cut short by the kill
    task, opro = build(run_dir, ScriptedFakeBackend(scripted_reply, spec="scripted:resume"))
    Run.resume(run_dir, task, opro).optimize()
    lines = journal.read_text().splitlines()
    assert lines[: len(kept)] == kept
    assert [json.loads(x)["number"] for x in lines] == list(range(len(lines)))
