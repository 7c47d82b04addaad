"""`optagent solve "text"`: the formulation agent from the command line, with scripted replies
(ScriptedFakeBackend) in-process and the echo model end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import agent.llm
from agent.cli._app import app
from agent.llm import LLM, ScriptedFakeBackend
from tests.fakes.formulation import BAD, GOOD


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in a scratch folder: `optagent solve "text"` writes its run under ./runs/."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedFakeBackend:
    """Route `load(...)` to a scripted fake backend: one bad reply, then a good one."""
    backend = ScriptedFakeBackend([BAD, GOOD])
    monkeypatch.setattr(agent.llm, "load", lambda *a, **k: LLM(backend))
    return backend


def test_solve_text_prints_answer_and_trace(scripted: ScriptedFakeBackend) -> None:
    result = CliRunner().invoke(
        app, ["solve", "Wyndor glass problem", "--show", "trace", "--show", "formulation"]
    )
    assert result.exit_code == 0, result.output
    assert "36" in result.output and "optimal" in result.output
    assert "chain 0 round 1: formulation_error" in result.output
    assert "unknown symbol 'windowz'" in result.output
    assert '"sense": "maximize"' in result.output
    assert len(scripted.requests) == 2


def test_solve_file_json(scripted: ScriptedFakeBackend, tmp_path: Path) -> None:
    problem = tmp_path / "problem.txt"
    problem.write_text("Wyndor glass problem", encoding="utf-8")
    result = CliRunner().invoke(app, ["solve", "--file", str(problem), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["objective"] == pytest.approx(36.0)
    assert payload["binding"] == ["plant2", "plant3"]
    assert [r["status"] for r in payload["chains"][0]["rounds"]] == [
        "formulation_error",
        "optimal",
    ]


def test_bad_flags_exit_2(scripted: ScriptedFakeBackend, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["solve", "x", "--show", "nonsense"]).exit_code == 2
    assert runner.invoke(app, ["solve", "--file", str(tmp_path / "none.txt")]).exit_code == 2
    assert runner.invoke(app, ["solve", "x", "--votes", "0"]).exit_code == 2
    assert runner.invoke(app, ["solve"]).exit_code == 2


def test_echo_model_fails_honestly_with_exit_1() -> None:
    result = CliRunner().invoke(
        app, ["solve", "Maximise 3x", "--model", "echo", "--no-cache", "--max-rounds", "1"]
    )
    assert result.exit_code == 1, result.output
    assert "parse_error" in result.output


def test_code_method_shows_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "result = {'objective': 7.0, 'variables': {'x': 7.0}}"
    backend = ScriptedFakeBackend([f"```python\n{code}\n```"])
    monkeypatch.setattr(agent.llm, "load", lambda *a, **k: LLM(backend))
    result = CliRunner().invoke(app, ["solve", "seven", "--method", "code", "--show", "code"])
    assert result.exit_code == 0, result.output
    assert "code_ok" in result.output and code in result.output
