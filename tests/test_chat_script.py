"""`optagent chat` without a terminal: turns from stdin or --script, answers on stdout; /edit
through $EDITOR; bad input gives a clear message and the session goes on. No model is used."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests._cli import ROOT, run_cli

EXAMPLE = ROOT / "solvers" / "examples" / "lp_production_planning.json"
NO_MODEL = "openai:nothing@http://127.0.0.1:9/v1"


def _stdin_chat(tmp_path: Path, text: str, *args: str, env: dict[str, str] | None = None):
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPTAGENT_CACHE_DIR": str(tmp_path / "cache"),
        "COLUMNS": "100",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", "chat", "--model", NO_MODEL, *args],
        input=text,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
    )


def _flat(text: str) -> str:
    """Output with line wrapping undone (messages wrap at the console width)."""
    return " ".join(text.split())


def _state(run_dir: Path) -> dict:
    return json.loads((run_dir / "session.json").read_text(encoding="utf-8"))


def test_stdin_turns_answer_on_stdout(tmp_path: Path) -> None:
    run_dir = tmp_path / "s"
    turns = (
        f"/load {EXAMPLE}\n/solve\n\n# a comment line is skipped\nwhat if capacity is 30?\n/help\n"
    )
    result = _stdin_chat(tmp_path, turns, "--out", str(run_dir))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you> /solve" in out and "710" in out
    assert "what if (by rules: a what-if on capacity; no model call)" in out
    assert "capacity: 35 -> 30" in out and "verified against every constraint" in out
    # The LP has many optimal vertices (making early and storing ties with making later), and
    # HiGHS versions pick different ones: assert what every optimum shares. Capacity 30 moves
    # production around at the same cost, and period 3 (demand 40) must borrow from earlier.
    assert "what changed" in out
    assert re.search(r"│ objective\s*│\s*710 │\s*710 │\s*0 │", out)
    state = _state(run_dir)
    assert state["solution"]["objective"] == state["previous"]["objective"] == 710
    values = state["solution"]["values"]
    assert max(values[f"make[{t}]"] for t in (1, 2, 3, 4)) <= 30 + 1e-9
    assert values["stock[2]"] >= 10 - 1e-9
    assert "NAME[i]=V for one entry" in out  # help text is not eaten as markup
    routes = [t["route"] for t in state["turns"]]
    assert routes == ["command /load", "command /solve", "edit", "command /help"]
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal


def test_script_file_and_bad_input_keep_the_session(tmp_path: Path) -> None:
    script = tmp_path / "turns.txt"
    script.write_text(
        "\n".join(
            [
                "/solve",
                "/why",
                "/show code",
                f"/load {tmp_path / 'missing.json'}",
                f"/load {EXAMPLE}",
                "/set nosuch=3",
                "/set capacity=lots",
                "/set demand=7",
                "/set demand[9]=7",
                "/show nonsense",
                "/frobnicate",
                "/set demand[2]=25",
                "/solve",
                "/quit",
                "/solve",
            ]
        ),
        encoding="utf-8",
    )
    run_dir = tmp_path / "s"
    result = run_cli(
        "chat", "--script", str(script), "--out", str(run_dir), "--model", NO_MODEL, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = _flat(result.stdout)
    assert "no formulation yet: describe a problem in words, or /load FILE.json" in out
    assert "no code: nothing was formulated by the model in this session" in out
    assert "file not found:" in out and "missing.json" in out
    assert "no parameter named 'nosuch' (the model has: demand, unit_cost, capacity, hold)" in out
    assert "'lots' is not a number" in out
    assert "demand is indexed over T: write demand[T]=VALUE" in out
    assert "'9' is not in set T of demand (elements: 1, 2, 3, 4)" in out
    assert "/show takes formulation, json, code or trace" in out
    assert "unknown command /frobnicate; /help lists the commands" in out
    assert "demand[2]: 30 -> 25" in out
    state = _state(run_dir)
    demand = next(p for p in state["formulation"]["parameters"] if p["name"] == "demand")
    assert demand["value"] == [20, 25, 40, 25]
    assert state["solution"]["objective"] < 710  # less demand costs less
    assert len(state["turns"]) == 14  # /quit ended the script: the last /solve did not run
    routes = [t["route"] for t in state["turns"]]
    assert routes[0] == "command /solve" and routes[-1] == "command /quit"


def test_edit_with_editor_script_and_a_bad_edit_keeps_the_old(tmp_path: Path) -> None:
    good = tmp_path / "good_editor.py"
    good.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "data = json.load(open(path))\n"
        "for p in data['parameters']:\n"
        "    if p['name'] == 'hold':\n"
        "        p['value'] = 3\n"
        "json.dump(data, open(path, 'w'))\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad_editor.py"
    bad.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('{\"variables\": [], oops')\n", encoding="utf-8"
    )
    unknown = tmp_path / "unknown_symbol_editor.py"
    unknown.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "data = json.load(open(path))\n"
        "data['objective']['expression'] = 'sum(price[t]*make[t] for t in T)'\n"
        "json.dump(data, open(path, 'w'))\n",
        encoding="utf-8",
    )
    run_dir = tmp_path / "s"
    first = _stdin_chat(
        tmp_path,
        f"/load {EXAMPLE}\n/solve\n/edit\n/solve\n",
        "--out",
        str(run_dir),
        env={"EDITOR": f"{sys.executable} {good}", "VISUAL": ""},
    )
    assert first.returncode == 0, first.stderr
    assert "what changed" in first.stdout
    assert [p["value"] for p in _state(run_dir)["formulation"]["parameters"]][-1] == 3
    for editor, message in (
        (bad, "the edited file is not JSON"),
        (unknown, "the edited formulation is not valid"),
    ):
        again = _stdin_chat(
            tmp_path,
            "/edit\n/show json\n",
            "--resume",
            str(run_dir),
            env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""},
        )
        assert again.returncode == 0, again.stderr
        out = _flat(again.stdout)
        assert message in out and "is kept" in out
        state = _state(run_dir)
        assert [p["value"] for p in state["formulation"]["parameters"]][-1] == 3
        assert "unit_cost[t]*make[t]" in state["formulation"]["objective"]["expression"]


def test_resume_of_a_folder_without_a_session_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("chat", "--resume", str(tmp_path / "nothing"), cwd=tmp_path)
    assert result.returncode == 2
    assert "holds no session.json" in result.stderr
