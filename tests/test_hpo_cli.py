"""`optagent hpo FILE.py` end to end, as a subprocess talking to the fake OpenAI-compatible
server (scripted replies from the HPO fake, never a stand-in for model quality)."""

from __future__ import annotations

import json
from pathlib import Path

from tests._cli import run_cli
from tests.fakes.hpo import hpo_fake_replies
from tests.fakes.openai_server import FakeOpenAIServer

OBJECTIVE = """
PROBLEM = "Find x and y that minimize (x - 1)^2 + (y + 2)^2."

def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_float("y", -5, 5)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if kind == "b" and x > 4.5:
        raise RuntimeError("this corner of the space crashes")
    return (x - 1) ** 2 + (y + 2) ** 2
"""


def test_hpo_runs_a_study_writes_the_run_folder_and_continues_it(tmp_path: Path) -> None:
    (tmp_path / "quad.py").write_text(OBJECTIVE)
    with FakeOpenAIServer(hpo_fake_replies()) as server:
        args = [
            "hpo",
            "quad.py",
            "--trials",
            "8",
            "--model",
            f"openai:fake@{server.url}",
            "--no-progress",
            "--candidates",
            "3",
        ]
        first = run_cli(*args, cwd=tmp_path, env_extra={"OPENAI_API_KEY": "sk-fake"})
        assert first.returncode == 0, first.stderr
        assert "proposed by the LLM" in first.stdout
        run_dir = tmp_path / "runs" / "hpo-quad"
        rows = [json.loads(line) for line in (run_dir / "trials.jsonl").read_text().splitlines()]
        assert len(rows) == 8 and all("llm_source" in r["user_attrs"] for r in rows)
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["llm"]["llm_fraction"] >= 0.5
        assert (run_dir / "best.json").is_file() and (run_dir / "study.journal").is_file()
        assert json.loads((run_dir / "config.json").read_text())["kind"] == "hpo"

        again = run_cli(
            *args[:3],
            "4",
            *args[4:],
            "--json",
            cwd=tmp_path,
            env_extra={"OPENAI_API_KEY": "sk-fake"},
        )
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["trials"] == 12
        assert server.request_count > 0


def test_hpo_reports_a_bad_objective_file_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("x = 1\n")
    result = run_cli("hpo", "empty.py", "--model", "echo", "--no-progress", cwd=tmp_path)
    assert result.returncode == 2
    assert "defines no objective(trial)" in result.stderr and "Traceback" not in result.stderr
    missing = run_cli("hpo", "nope.py", "--model", "echo", cwd=tmp_path)
    assert missing.returncode == 2 and "no objective file" in missing.stderr


def test_without_optuna_the_command_prints_the_install_line(tmp_path: Path) -> None:
    """``optagent hpo`` without the hpo extra: one red line naming the extra, exit 2."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['optuna'] = None\n"
        "sys.argv = ['optagent', 'hpo', 'x.py', '--model', 'echo']\n"
        "from agent.cli import main; main()\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "pip install 'optagent[hpo]'" in result.stderr and "Traceback" not in result.stderr
