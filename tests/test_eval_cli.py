"""`optagent eval`: a real subprocess killed mid-run resumes without losing or redoing items;
reports; clear errors for bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from evals.synthetic import generate
from tests._cli import ROOT, run_cli
from tests._eval_support import journal_ids, write_dataset, write_oracle


def _eval_run(data: Path, oracle: Path, out: str, *extra: str) -> list[str]:
    return [
        "eval", "run", "--dataset", str(data), "--model", f"oracle:{oracle}", "--out", out,
        "--no-progress", "--no-cache", *extra,
    ]  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_wait(tmp_path: Path, data: Path, oracle: Path, *extra: str) -> subprocess.Popen:
    """Start a real `optagent eval run` and return once items 0-2 are in the journal (item 3
    hangs in the oracle fake)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPTAGENT_CACHE_DIR": str(tmp_path / "cache"),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", *_eval_run(data, oracle, "run", *extra)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # A shell that starts the test run in the background ignores SIGINT, and children
        # inherit that: give this child the default disposition, as a terminal would.
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(journal_ids(tmp_path / "run")) < 3:
        assert child.poll() is None, "the eval run ended before it was stopped"
        time.sleep(0.1)
    time.sleep(0.5)
    return child


def test_sigkill_mid_run_then_resume_loses_and_redoes_nothing(tmp_path: Path) -> None:
    n = 6
    data, oracle = write_dataset(tmp_path, n, delays={3: 120.0})
    journal = tmp_path / "run" / "trials.jsonl"
    child = _start_and_wait(tmp_path, data, oracle, "--workers", "1")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    before = journal.read_bytes()
    assert journal_ids(tmp_path / "run") == ["0", "1", "2"]
    write_oracle(oracle, generate(n, seed=0))  # the same answers, without the delay
    done = run_cli(*_eval_run(data, oracle, "run", "--resume"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 items were already done" in done.stderr
    assert journal.read_bytes().startswith(before)
    assert journal_ids(tmp_path / "run") == [str(i) for i in range(n)]


def test_ctrl_c_keeps_every_finished_item(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 6, delays={3: 120.0})
    child = _start_and_wait(tmp_path, data, oracle, "--workers", "1", "--executor", "process")
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) == 130
    assert journal_ids(tmp_path / "run") == ["0", "1", "2"]
    state = json.loads((tmp_path / "run" / "state.json").read_text())
    assert state["status"] == "interrupted" and state["step"] == 3
    report = run_cli("eval", "report", "run", "--no-plots", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "**This run was interrupted**: interrupted (Ctrl-C) after 3 of 6 items" in report.stdout
    assert "Usage so far: 3 LLM calls" in report.stdout


def test_comparing_runs_over_different_datasets_is_refused(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 3)
    (tmp_path / "other").mkdir()
    other, other_oracle = write_dataset(tmp_path / "other", 3, seed=1)
    assert run_cli(*_eval_run(data, oracle, "a"), cwd=tmp_path).returncode == 0
    assert run_cli(*_eval_run(other, other_oracle, "b"), cwd=tmp_path).returncode == 0
    refused = run_cli("eval", "report", "a", "b", "--no-plots", cwd=tmp_path)
    assert refused.returncode == 2
    assert "refusing to compare: the runs are over different datasets" in refused.stderr
    assert "pass --force" in refused.stderr
    forced = run_cli("eval", "report", "a", "b", "--force", "--no-plots", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "Not comparable (compared with --force)" in forced.stdout


def test_a_guessed_mode_is_announced(tmp_path: Path) -> None:
    rows = generate(2, seed=0)
    data = tmp_path / "plain.jsonl"
    data.write_text(
        "".join(json.dumps({"question": r["question"], "answer": r["answer"]}) + "\n" for r in rows)
    )
    oracle = tmp_path / "oracle.jsonl"
    write_oracle(oracle, rows)
    run = run_cli(*_eval_run(data, oracle, "g"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "scoring mode llmopt (guessed): the source cannot be told" in run.stderr
    given = run_cli(*_eval_run(data, oracle, "h", "--mode", "strict"), cwd=tmp_path)
    assert "scoring mode" not in given.stderr and "scoring mode: strict" in given.stdout


def test_run_report_and_runs_list(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 4, wrong=(1,))
    first = run_cli(*_eval_run(data, oracle, "a", "--workers", "2"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "accuracy | 75.0% (3/4)" in first.stdout
    second = run_cli(*_eval_run(data, oracle, "b", "--limit", "2"), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    report = run_cli("eval", "report", "a", "--json", cwd=tmp_path)
    summary = json.loads(report.stdout)
    assert summary["accuracy"] == 0.75 and summary["failures"] == {"wrong_value": 1}
    assert (tmp_path / "a" / "report" / "accuracy_by_category.png").stat().st_size > 0
    side = run_cli("eval", "report", "a", "b", cwd=tmp_path)
    assert side.returncode == 0, side.stderr
    assert "the 2 items in both" in side.stdout
    assert "right in a, wrong in b (0)" in side.stdout
    listed = run_cli("runs", "list", "--runs-dir", ".", cwd=tmp_path)
    assert "eval" in listed.stdout and "4/4" in listed.stdout


def test_clear_errors(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 2)
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps([{"foo": 1}]))
    bad = run_cli(*_eval_run(odd, oracle, "x"), cwd=tmp_path)
    assert bad.returncode == 2 and "format" in bad.stderr
    assert run_cli(*_eval_run(data, oracle, "r"), cwd=tmp_path).returncode == 0
    again = run_cli(*_eval_run(data, oracle, "r"), cwd=tmp_path)
    assert again.returncode == 2 and "--resume" in again.stderr
    other = run_cli(*_eval_run(data, oracle, "r", "--resume", "--votes", "2"), cwd=tmp_path)
    assert other.returncode == 2 and "votes" in other.stderr
    (tmp_path / "notarun").mkdir()
    report = run_cli("eval", "report", "notarun", cwd=tmp_path)
    assert report.returncode == 2 and "not an eval run" in report.stderr
    executor = run_cli(*_eval_run(data, oracle, "y", "--executor", "dask"), cwd=tmp_path)
    assert executor.returncode == 2 and "unknown executor" in executor.stderr
    mode = run_cli(*_eval_run(data, oracle, "z", "--mode", "loose"), cwd=tmp_path)
    assert mode.returncode == 2 and "unknown --mode 'loose'" in mode.stderr


def test_generate_writes_a_dataset_the_runner_reads(tmp_path: Path) -> None:
    made = run_cli("eval", "generate", "--n", "3", "--seed", "1", "--out", "s.jsonl",
                   "--template", "diet", cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    rows = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert [r["template"] for r in rows] == ["diet"] * 3
    ran = run_cli(*_eval_run(tmp_path / "s.jsonl", tmp_path / "s.jsonl", "g"), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "accuracy | 100.0% (3/3)" in ran.stdout


def test_opro_gsm8k_tsv_runs_as_a_prompt_benchmark(tmp_path: Path) -> None:
    # The echo fake repeats the question: its last number is the answer of the first row only.
    data = tmp_path / "gsm_test.tsv"
    data.write_text("Four boxes of six pencils: 24\t24\nSixty km for three hours: 180\t181\n")
    args = ["eval", "run", "--dataset", str(data), "--model", "echo", "--out", "t",
            "--no-progress", "--no-cache"]  # fmt: skip
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accuracy | 50.0% (1/2)" in result.stdout and "prompt:number" in result.stdout


def test_a_prompt_benchmark_evaluates_the_prompt_and_resumes(tmp_path: Path) -> None:
    # The echo fake answers with the question itself: right exactly where target == input.
    rows = [{"input": w, "target": t} for w, t in [("alpha", "alpha"), ("beta", "gamma")]]
    rows.append({"input": "delta", "target": "delta"})
    data = tmp_path / "bbh_task.json"
    data.write_text(json.dumps({"examples": rows}))
    args = ["eval", "run", "--dataset", str(data), "--model", "echo", "--out", "p",
            "--no-progress", "--no-cache"]  # fmt: skip
    first = run_cli(*args, "--limit", "2", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "accuracy | 50.0% (1/2)" in first.stdout and "prompt:exact" in first.stdout
    more = run_cli(*args, "--resume", cwd=tmp_path)
    assert more.returncode == 0, more.stderr
    assert "2 items were already done" in more.stderr
    assert journal_ids(tmp_path / "p") == ["0", "1", "2"]
    assert "accuracy | 66.7% (2/3)" in more.stdout
    wrong = run_cli(*args, "--prompt", "missing.json", "--out", "q", cwd=tmp_path)
    assert wrong.returncode == 2 and "missing.json" in wrong.stderr


def test_run_defaults_finish_on_the_embedded_model() -> None:
    """Embedded engines get one short round in a killable worker with a per-item limit;
    endpoints keep full correction rounds. (The 20-item local run this buys is measured in
    docs/eval-runs.md.)"""
    from evals.runner import run_defaults

    for spec in ("local", "llamacpp:/models/x.gguf"):
        embedded = run_defaults(spec)
        assert embedded.executor == "process" and embedded.item_timeout == 40.0
        assert embedded.max_rounds == 1 and embedded.max_tokens == 256
    for spec in ("openai:gpt-4o-mini", "oracle:x.jsonl", "hf:/models/x"):
        endpoint = run_defaults(spec)
        assert endpoint.executor == "thread" and endpoint.item_timeout == 300.0
        assert endpoint.max_rounds == 3 and endpoint.max_tokens == 1024


def test_cli_records_the_defaults_it_ran_with_and_item_timeout_0_turns_it_off(
    tmp_path: Path,
) -> None:
    data, oracle = write_dataset(tmp_path, 2)
    done = run_cli(*_eval_run(data, oracle, "run"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["item_timeout"] == 300.0 and config["executor"] == "thread"
    assert config["agent"]["max_rounds"] == 3 and config["agent"]["max_tokens"] == 1024
    off = run_cli(*_eval_run(data, oracle, "off", "--item-timeout", "0"), cwd=tmp_path)
    assert off.returncode == 0, off.stderr
    assert json.loads((tmp_path / "off" / "config.json").read_text())["item_timeout"] is None
