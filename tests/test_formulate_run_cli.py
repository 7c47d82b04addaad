"""`optagent solve` runs end to end: a real `python -m agent.cli solve ... --out DIR`
subprocess on the OpenAI backend, talking to FakeOpenAIServer (a fake for scripted replies and
fault injection: a hang makes a reply slow enough to SIGKILL the run mid-way), then
`--resume`, `runs list` and `runs show`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli._app import app
from tests._cli import ROOT, run_cli
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.test_formulate_run import BAD, GOOD, PROBLEM


def _bad_then_good(body: dict[str, Any]) -> str:
    """BAD for the first prompt, GOOD once the solvers' error has been fed back."""
    texts = [str(m.get("content", "")) for m in body["messages"]]
    return GOOD if any("did not work" in t for t in texts) else BAD


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True)


def _lines(run_dir: Path) -> list[str]:
    path = run_dir / "trials.jsonl"
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _env(cwd: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPTAGENT_CACHE_DIR": str(cwd / "cache"),
        "COLUMNS": "200",
    }


def test_sigkill_mid_run_then_resume_keeps_rounds_and_resends_no_answered_request(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    server = fake_openai_server
    server.set_replies(_bad_then_good)
    # The OpenAI backend sends one HTTP request per sample. Requests 0-2: the first three
    # formulations; 3: chain 0's correction; 4: chain 1's correction, which hangs.
    server.inject_at(4, Fault.hang(25))
    run_dir = tmp_path / "run"
    model = f"openai:fake@{server.url}"
    command = [sys.executable, "-m", "agent.cli", "solve", PROBLEM, "--out", str(run_dir)]
    command += ["--model", model, "--votes", "3", "--max-rounds", "3", "--json"]
    child = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while server.request_count < 5:
        assert child.poll() is None, child.communicate()[1].decode()
        assert time.monotonic() < deadline, "the run never reached the slow request"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL

    before = _lines(run_dir)
    assert len(before) == 4, "three first rounds and chain 0's correction were finished"
    assert json.loads((run_dir / "state.json").read_text())["status"] == "running"
    answered = {_canonical(r.body) for r in server.requests[:4]}
    hung = _canonical(server.requests[4].body)
    seen = server.request_count

    result = run_cli("solve", "--resume", str(run_dir), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "optimal" and answer["objective"] == pytest.approx(36.0)
    assert answer["vote"]["winners"] == [0, 1, 2] and answer["run_dir"] == str(run_dir)
    assert [len(c["rounds"]) for c in answer["chains"]] == [2, 2, 2]

    after = _lines(run_dir)
    assert after[:4] == before, "finished rounds are kept exactly"
    assert len(after) == 6
    resent = [_canonical(r.body) for r in server.requests[seen:]]
    assert not set(resent) & answered, "an answered request reached the server again"
    assert len(resent) == 2 and resent[0] == hung, "only the unanswered corrections were sent"
    state = json.loads((run_dir / "state.json").read_text())
    assert state["status"] == "finished"
    saved = json.loads((run_dir / "answer.json").read_text())
    assert saved["problem"] == PROBLEM and saved["objective"] == pytest.approx(36.0)


def test_resume_refuses_conflicting_flags_and_foreign_runs(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPTAGENT_CACHE_DIR", str(tmp_path / "cache"))
    fake_openai_server.set_replies([GOOD])
    run_dir = tmp_path / "run"
    model = f"openai:fake@{fake_openai_server.url}"
    runner = CliRunner()
    first = runner.invoke(app, ["solve", PROBLEM, "--out", str(run_dir), "--model", model])
    assert first.exit_code == 0, first.output
    assert "36" in first.stdout and f"run: {run_dir}" in first.stdout
    for flags, text in (
        (["--votes", "3"], "--votes 3 contradicts"),
        (["--method", "code"], "--method code contradicts"),
        (["--max-new-tokens", "50"], "--max-new-tokens 50 contradicts"),
        (["--model", "echo"], "--model echo contradicts"),
        (["--out", str(tmp_path / "x")], "drop --out"),
        ([PROBLEM], "drop the problem text"),
    ):
        result = runner.invoke(app, ["solve", "--resume", str(run_dir), *flags])
        assert result.exit_code == 2, (flags, result.output)
        assert text in " ".join(result.stderr.split()), (flags, result.stderr)
    assert fake_openai_server.request_count == 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"kind": "prompt"}))
    result = runner.invoke(app, ["solve", "--resume", str(other)])
    assert result.exit_code == 2 and "kind 'prompt', not 'solve'" in result.stderr
    again = runner.invoke(app, ["solve", PROBLEM, "--out", str(run_dir), "--model", model])
    assert again.exit_code == 2 and "already holds 1 rounds" in again.stderr


def test_default_run_dir_runs_list_and_show(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(_bad_then_good)
    model = f"openai:fake@{fake_openai_server.url}"
    result = run_cli("solve", PROBLEM, "--model", model, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run_dir = Path(json.loads(result.stdout)["run_dir"])
    assert run_dir.parent == Path("runs") and run_dir.name.startswith("solve-")
    assert (tmp_path / run_dir / "trials.jsonl").is_file()

    listed = run_cli("runs", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if run_dir.name in line)
    assert "solve" in row and "finished" in row and "2/3" in row and "36" in row

    shown = run_cli("runs", "show", run_dir.name, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "problem: Wyndor glass" in text and "answer optimal objective 36" in text
    assert "formulation_error" in text and "unknown symbol 'windowz'" in text


def test_reply_cut_at_max_new_tokens_is_reported_truncated(
    tmp_path: Path,
) -> None:
    with FakeOpenAIServer([GOOD], truncate_to_max_tokens=True) as server:
        result = run_cli(
            "solve",
            PROBLEM,
            "--model",
            f"openai:fake@{server.url}",
            "--max-new-tokens",
            "12",
            "--max-rounds",
            "2",
            "--out",
            str(tmp_path / "run"),
            "--json",
            cwd=tmp_path,
        )
        bodies = [r.body for r in server.requests]
    assert result.returncode == 1, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "truncated" and answer["truncated_rounds"] == 2
    rounds = answer["chains"][0]["rounds"]
    assert [r["finish_reason"] for r in rounds] == ["length", "length"]
    assert rounds[0]["error"].startswith("the reply was cut off at the 12-token limit")
    assert "cut off at its token limit" in answer["explanation"]
    assert all(b["max_tokens"] == 12 for b in bodies)
    feedback = " ".join(str(m["content"]) for m in bodies[-1]["messages"])
    assert 'before it was complete (finish reason "length")' in feedback
