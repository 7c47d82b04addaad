"""`optagent chat` in a real pseudo-terminal (pexpect), no model involved: load a formulation,
solve, /set a parameter, re-solve with what changed, /why, /save, quit, then --resume and
check that the state is back."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pexpect

from tests._cli import ROOT

EXAMPLE = ROOT / "solvers" / "examples" / "lp_production_planning.json"
# A model spec that fails if anything asks it: the session must not need a model.
NO_MODEL = "openai:nothing@http://127.0.0.1:9/v1"
PROMPT = "you> "
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


def strip_ansi(text: str) -> str:
    """Terminal output without escape sequences and carriage returns."""
    return ANSI.sub("", text)


def screen_text(raw: str) -> str:
    """The captured output as the screen shows it: the prompt's redraws (several copies of
    "[N] you> ..." on one line once cursor moves are stripped) collapse to the last one."""
    lines = []
    for line in raw.split("\n"):
        marks = list(re.finditer(r"\[\d+\] you>", line))
        lines.append(line[marks[-1].start() :] if marks else line)
    return "\n".join(lines)


def _spawn(args: list[str], cwd: Path) -> pexpect.spawn:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPTAGENT_CACHE_DIR": str(cwd / "cache"),
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "TERM": "xterm",
        "COLUMNS": "100",
        "LINES": "50",
    }
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "agent.cli", "chat", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 100),
    )
    return child


def _prompt(child: pexpect.spawn, turn: int) -> None:
    """Wait for the prompt of turn ``turn`` ("[3] you>"), which is not the echo of the last."""
    child.expect(re.escape(f"[{turn}] {PROMPT}".rstrip()))


SCREEN: list[str] = []


def _turn(child: pexpect.spawn, line: str, turn: int) -> str:
    child.sendline(line)
    _prompt(child, turn + 1)
    out = strip_ansi(child.before or "")
    SCREEN.append(out + (child.after or ""))
    return out


def test_session_in_a_terminal_then_resume(tmp_path: Path) -> None:
    run_dir = tmp_path / "session"
    child = _spawn(["--out", str(run_dir), "--model", NO_MODEL], tmp_path)
    _prompt(child, 1)
    SCREEN.append(strip_ansi(child.before or "") + child.after)

    out = _turn(child, f"/load {EXAMPLE}", 1)
    assert "loaded formulation" in out and "capacity" in out and "unit_cost" in out
    out = _turn(child, "/solve", 2)
    assert "optimal" in out and "710" in out and "constraints (LP sensitivity)" in out
    out = _turn(child, "/set hold=2", 3)
    assert "hold: 1 -> 2" in out
    out = _turn(child, "/solve", 4)
    # Hold 2 has one optimum (hold 1 has many, and HiGHS versions pick different vertices),
    # but a degenerate one: its values and slacks are fixed, its duals are not.
    assert "what changed" in out and "715" in out and "+5" in out
    assert re.search(r"make\[1\]\s*│\s*20\s*│", out)  # the variables table
    assert re.search(r"plant\[t=1\]\s*│\s*0\s*│\s*15\s*│", out)  # slack 15 in the table
    out = _turn(child, "/why stock", 5)
    assert re.search(r"stock\[3\] = 0, at its lower bound 0; its reduced cost is [1-9]", out)
    assert re.search(r"plant\[t=3\]: dual -[1-9]", out) and "plant[t=1]: slack 15" in out
    out = _turn(child, "/usage", 6)
    assert re.search(r"calls\s*│\s*0", out)
    out = _turn(child, "/save", 7)
    assert "saved" in out
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    SCREEN.append(strip_ansi(child.before or ""))
    child.close()
    assert child.exitstatus == 0

    state = json.loads((run_dir / "session.json").read_text(encoding="utf-8"))
    hold = next(p for p in state["formulation"]["parameters"] if p["name"] == "hold")
    assert hold["value"] == 2
    assert state["solution"]["objective"] == 715 and state["previous"]["objective"] == 710
    assert [t["text"] for t in state["turns"]][:3] == [f"/load {EXAMPLE}", "/solve", "/set hold=2"]
    transcript = (run_dir / "transcript.md").read_text(encoding="utf-8")
    assert transcript.count("## Turn") == len(state["turns"])
    assert (run_dir / "input_history.txt").read_text(encoding="utf-8").count("+/solve\n") == 2

    child = _spawn(["--resume", str(run_dir), "--model", NO_MODEL], tmp_path)
    _prompt(child, 9)
    banner = strip_ansi(child.before or "")
    SCREEN.append(f"\n$ optagent chat --resume {run_dir}\n{banner}{child.after}")
    assert "resumed" in banner and "last solve optimal, objective 715" in banner
    out = _turn(child, "/show formulation", 9)
    assert re.search(r"hold\s*│\s*│\s*2\b", out)
    out = _turn(child, "/why stock[3]", 10)
    assert "stock[3] = 0" in out and "reduced cost is" in out
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    resumed = json.loads((run_dir / "session.json").read_text(encoding="utf-8"))
    assert len(resumed["turns"]) == len(state["turns"]) + 3
    screen_file = os.environ.get("OPTAGENT_CHAT_SCREEN")
    if screen_file:  # docs/chat.md shows this capture: OPTAGENT_CHAT_SCREEN=PATH pytest ...
        text = screen_text("".join(SCREEN))
        text = text.replace(str(ROOT) + "/", "").replace(str(tmp_path), "~")
        Path(screen_file).write_text(text, encoding="utf-8")
