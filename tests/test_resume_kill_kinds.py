"""kill -9 per run kind on the shared lifecycle (``RunSession``): a formulation run and an eval
run are SIGKILLed mid-way in a child process, resumed here, and compared with an uninterrupted
run: no finished round or item is lost, and no answered model call is paid twice (the fake
logs every sample it answers; the resumed run's requests must not repeat one). Also: a resume
is refused for a folder of another kind or with another config, naming the difference.

The fakes (``KillSwitchFake`` over ``ScriptedFakeBackend`` / ``OracleFakeBackend``) only
inject the kill point and log calls; the agent, the runner and the run folder are real.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.core import JsonlRunStore, RunKind, RunSession
from agent.errors import ConfigError
from agent.llm import ScriptedFakeBackend
from agent.llm.backends._oracle import OracleFakeBackend
from tests._eval_support import write_dataset
from tests._kill import ROOT, kill_when_ready
from tests._resume_kinds_child import (
    SPEC,
    KillSwitchFake,
    oracle_key,
    reply,
    run_eval_items,
    run_solve,
)


def _kill_mid_run(tmp_path: Path, kind: str, hang_at: int, *extra: Path) -> tuple[Path, set[str]]:
    """Run the child until its fake hangs at call ``hang_at``, SIGKILL it; the run directory
    and the cache keys of the samples answered before the kill."""
    run_dir, log_file, ready = tmp_path / "run", tmp_path / "answered.log", tmp_path / "ready"
    args = [kind, str(run_dir), str(log_file), str(ready), str(hang_at), *map(str, extra)]
    kill_when_ready(ROOT / "tests" / "_resume_kinds_child.py", args, ready, timeout=300)
    answered = log_file.read_text().split() if log_file.exists() else []
    assert len(answered) == len(set(answered))
    return run_dir, set(answered)


def _journal(run_dir: Path) -> list[dict]:
    return [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]


def _logged(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_formulation_run_killed_mid_way_resumes_with_nothing_lost_or_paid_twice(
    tmp_path: Path,
) -> None:
    reference = ScriptedFakeBackend(reply, spec=SPEC)
    expected = run_solve(tmp_path / "reference", reference)
    run_dir, answered = _kill_mid_run(tmp_path, "solve", 4)
    before = _journal(run_dir)
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "running" and len(before) >= 3, "the kill lands after real work"

    resumed_log = tmp_path / "resumed.log"
    counting = KillSwitchFake(ScriptedFakeBackend(reply, spec=SPEC), resumed_log, tmp_path / "x", 0)
    answer = run_solve(run_dir, counting, resume=True)

    after = _journal(run_dir)
    assert after[: len(before)] == before, "finished rounds are kept exactly"
    slots = [(t["index"], t["step"]) for t in after]
    assert len(slots) == len(set(slots)), "no round is recorded twice"
    resent = _logged(resumed_log)
    assert not set(resent) & answered, "an answered request reached the model again"
    assert len(answered) + len(resent) == len(reference.requests), "paid calls as uninterrupted"
    assert answer.to_dict()["chains"] == expected.to_dict()["chains"]
    assert len(after) == len(_journal(tmp_path / "reference"))


def test_eval_run_killed_mid_way_resumes_with_no_item_lost_or_paid_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evals.runner import _work

    data, oracle = write_dataset(tmp_path, 8)
    expected = run_eval_items(tmp_path / "reference", data, oracle)
    run_dir, answered = _kill_mid_run(tmp_path, "eval", 5, data, oracle)
    before = _journal(run_dir)
    assert 2 <= len(before) < 8, "the kill lands mid-run, after real work"

    resumed_log = tmp_path / "resumed.log"
    inner = OracleFakeBackend.from_path(oracle.resolve())
    counting = KillSwitchFake(inner, resumed_log, tmp_path / "x", 0)
    monkeypatch.setitem(_work._BACKENDS, oracle_key(oracle), counting)
    result = run_eval_items(run_dir, data, oracle, resume=True)

    after = _journal(run_dir)
    assert after[: len(before)] == before, "finished items are kept exactly"
    ids = [t["candidate"] for t in after]
    assert sorted(ids) == sorted(r["id"] for r in expected.records)
    assert len(ids) == len(set(ids)), "no item is recorded twice"
    resent = _logged(resumed_log)
    assert not set(resent) & answered, "an answered request reached the model again"
    assert len(answered) + len(resent) == len(ids), "one paid call per item, as uninterrupted"
    assert result.status == "finished" and result.skipped == len(before)
    correct = {r["id"]: r["correct"] for r in result.records}
    assert correct == {r["id"]: r["correct"] for r in expected.records}


# -- refusals --------------------------------------------------------------------------------

EVAL_LIKE = RunKind("eval", unit="items", free=("workers",), resume_hint="pass --resume")


def test_resume_refuses_another_kind_and_names_both(tmp_path: Path) -> None:
    RunSession.start(tmp_path / "r", EVAL_LIKE, {"mode": "mamo"})
    with pytest.raises(ConfigError, match=r"kind 'eval', not 'solve'"):
        RunSession.resume(tmp_path / "r", RunKind("solve", unit="rounds"), {"mode": "mamo"})


def test_resume_refuses_another_config_naming_the_field_and_allows_free_ones(
    tmp_path: Path,
) -> None:
    first = RunSession.start(tmp_path / "r", EVAL_LIKE, {"mode": "mamo", "workers": 1})
    with pytest.raises(ConfigError, match=r"mode: 'mamo' -> 'strict'") as caught:
        RunSession.resume(tmp_path / "r", EVAL_LIKE, {"mode": "strict", "workers": 1})
    assert first.config["fingerprint"] in str(caught.value)
    again = RunSession.resume(tmp_path / "r", EVAL_LIKE, {"mode": "mamo", "workers": 4})
    assert (
        again.config["workers"] == 4 and again.config["fingerprint"] == first.config["fingerprint"]
    )
    stored = json.loads((tmp_path / "r" / "config.json").read_text())
    assert stored["workers"] == 4 and stored["created"] == first.config["created"]


def test_a_solve_folder_is_refused_by_the_eval_runner_and_vice_versa(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 2)
    run_eval_items(tmp_path / "run", data, oracle)
    with pytest.raises(ConfigError, match="kind 'eval', not 'solve'"):
        run_solve(tmp_path / "run", ScriptedFakeBackend(reply, spec=SPEC), resume=True)
    run_solve(tmp_path / "solve", ScriptedFakeBackend(reply, spec=SPEC))
    with pytest.raises(ConfigError, match="kind 'solve', not 'eval'"):
        run_eval_items(tmp_path / "solve", data, oracle, resume=True)
