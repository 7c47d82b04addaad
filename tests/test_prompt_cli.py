"""`optagent prompt tasks|optimize` as a real subprocess: echo model for the plumbing, the
embedded model for the main job (marked llm)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "OPTAGENT_CACHE_DIR": str(cwd / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def test_prompt_tasks_lists_the_builtins(tmp_path: Path) -> None:
    out = run_cli("prompt", "tasks", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("arithmetic", "sentiment", "city"):
        assert f"builtin:{name}" in out.stdout


def test_bad_task_and_method_are_one_line_errors(tmp_path: Path) -> None:
    out = run_cli("prompt", "optimize", "--task", "builtin:nope", "--model", "echo", cwd=tmp_path)
    assert out.returncode == 2 and "no built-in task 'nope'" in out.stderr
    assert "Traceback" not in out.stderr
    out = run_cli(
        "prompt",
        "optimize",
        "--task",
        "builtin:city",
        "--method",
        "magic",
        "--model",
        "echo",
        cwd=tmp_path,
    )
    assert out.returncode == 2 and "unknown --method 'magic'" in out.stderr
    out = run_cli("prompt", "optimize", "--model", "echo", cwd=tmp_path)
    assert out.returncode == 2 and "--task builtin:NAME, --data FILE, or --train FILE" in out.stderr


def test_optimize_on_a_data_file_then_budget_stop_then_resume(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    rows = [f"What is {i} plus zero?,{i}" for i in range(12)]
    data.write_text("q,a\n" + "\n".join(rows) + "\n")
    common = (
        "--data",
        str(data),
        "--input-field",
        "q",
        "--target-field",
        "a",
        "--answer",
        "number",
        "--model",
        "echo",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--no-progress",
    )
    out = run_cli(
        "prompt",
        "optimize",
        *common,
        "--name",
        "r1",
        "--steps",
        "3",
        "--max-calls",
        "12",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "search stopped" in out.stderr and "--resume" in out.stderr
    report = json.loads((tmp_path / "runs" / "r1" / "report.json").read_text())
    assert report["status"] == "stopped"
    out = run_cli(
        "prompt",
        "optimize",
        "--resume",
        str(tmp_path / "runs" / "r1"),
        "--model",
        "echo",
        "--no-progress",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "runs" / "r1" / "report.json").read_text())
    assert report["status"] == "finished"
    # The echo model repeats the question: "What is 5 plus zero?" -> 5, so everything is right.
    assert report["optimized"]["test_accuracy"] == 1.0


@pytest.mark.llm
def test_main_job_on_the_embedded_model(tmp_path: Path) -> None:
    out = run_cli(
        "prompt",
        "optimize",
        "--task",
        "builtin:arithmetic",
        "--method",
        "exemplars",
        "--model",
        "local",
        "--sizes",
        "8,6,8",
        "--steps",
        "1",
        "--candidates",
        "2",
        "--bootstrap",
        "6",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--name",
        "main",
        "--no-progress",
        cwd=tmp_path,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr
    run = tmp_path / "runs" / "main"
    report = json.loads((run / "report.json").read_text())
    assert report["status"] == "finished"
    for side in ("baseline", "optimized"):
        assert 0.0 <= report[side]["test_accuracy"] <= 1.0
    calls = report["scorer_calls"]
    assert calls["test"] in (8, 16) and calls["search"] == 2 * 6 and calls["bootstrap"] >= 6
    text = (run / "report.md").read_text()
    assert "baseline" in text and "optimized" in text and "Scorer calls" in text
    assert "test acc" in out.stdout


def _yesno_files(folder: Path) -> dict[str, Path]:
    """Fixed train/val/test JSONL files of a yes/no task (generated, not a public set)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for split, offset, n in (("train", 0, 12), ("val", 50, 6), ("test", 80, 5)):
        lines = [
            json.dumps(
                {"question": f"Is {i} bigger than {i % 7}?", "answer": "yes" if i > i % 7 else "no"}
            )
            for i in range(offset, offset + n)
        ]
        files[split] = folder / f"{split}.jsonl"
        files[split].write_text("\n".join(lines) + "\n")
    return files


def test_fixed_splits_infer_the_answer_kind_and_split_wall_time(tmp_path: Path) -> None:
    files = _yesno_files(tmp_path / "bigger")
    out = run_cli(
        "prompt", "optimize",
        "--train", str(files["train"]), "--val", str(files["val"]), "--test", str(files["test"]),
        "--model", "echo", "--steps", "1", "--name", "fixed",
        "--runs-dir", str(tmp_path / "runs"), "--no-progress",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "splits: {'train': 12, 'val': 6, 'test': 5}" in text
    assert "answer: yesno (inferred from the targets" in text
    assert "max new tokens 8, stop ['\\n']" in text
    assert "search " in text and "test " in text and "total " in text
    result = json.loads((tmp_path / "runs" / "fixed" / "result.json").read_text())
    assert result["task"]["name"] == "bigger"  # named after the folder of train.jsonl
    assert result["task"]["answer_kind"] == "yesno"
    assert result["task"]["stop"] == ["\n"] and result["task"]["max_tokens"] == 8
    assert result["test_size"] == 5
    report = json.loads((tmp_path / "runs" / "fixed" / "report.json").read_text())
    assert report["search_wall_s"] > 0 and report["test_wall_s"] >= 0


def test_builtin_and_file_tasks_share_generation_options(tmp_path: Path) -> None:
    data = tmp_path / "codes.jsonl"
    data.write_text(
        "\n".join(json.dumps({"question": f"Code {i}?", "answer": f"C{i}"}) for i in range(12))
    )
    common = ("--model", "echo", "--steps", "1", "--runs-dir", str(tmp_path / "runs"))
    out = run_cli(
        "prompt", "optimize", "--data", str(data), "--sizes", "5,4,3",
        "--answer", "regex", "--answer-pattern", r"(C\d+)", "--stop", "none",
        "--max-new-tokens", "12", "--name", "codes", "--no-progress", *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "splits: {'train': 5, 'val': 4, 'test': 3}" in " ".join(out.stdout.split())
    task = json.loads((tmp_path / "runs" / "codes" / "result.json").read_text())["task"]
    assert (task["answer_kind"], task["pattern"], task["stop"], task["max_tokens"]) == (
        "regex", "(C\\d+)", [], 12,
    )  # fmt: skip
    out = run_cli(
        "prompt", "optimize", "--task", "builtin:arithmetic", "--sizes", "6,4,3",
        "--stop", "\\n\\n", "--max-new-tokens", "40", "--name", "arith", "--no-progress",
        *common,
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    task = json.loads((tmp_path / "runs" / "arith" / "result.json").read_text())["task"]
    assert (task["stop"], task["max_tokens"]) == (["\n\n"], 40)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--task", "builtin:city", "--train", "T"), "two data sources"),
        (("--data", "D", "--train", "T", "--val", "V"), "use one or the other"),
        (("--val", "V"), "need --train FILE"),
        (("--train", "T"), "--train needs --val FILE"),
        (("--train", "T", "--val", "V", "--sizes", "1,1,1"), "drop --sizes"),
        (("--task", "builtin:city", "--answer", "number"), "apply to data files"),
        (
            ("--data", "D", "--answer", "number", "--labels", "a,b"),
            "--labels is for --answer label",
        ),
        (("--data", "D", "--answer", "regex"), "needs --answer-pattern"),
        (("--data", "D", "--answer-pattern", "x"), "is for --answer regex"),
        (("--data", "D", "--answer", "fuzzy"), "unknown --answer 'fuzzy'"),
    ],
)
def test_conflicting_or_ignored_options_are_errors(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    out = run_cli("prompt", "optimize", *args, "--model", "echo", cwd=tmp_path)
    assert out.returncode == 2, out.stdout
    assert message in " ".join(out.stderr.split()) and "Traceback" not in out.stderr
