"""Write docs/chat-offline-transcript.md: the screen of tests/test_chat_offline_pty.py, a
session of `optagent chat --model local` in a pseudo-terminal (ANSI stripped).

    python3 scripts/chat_offline_transcript.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "chat-offline-transcript.md"
SPINNER = re.compile(r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [^⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏\n]*")
HEAD = """# An offline chat in a terminal

`optagent chat --model local` (the embedded SmolLM2-135M-Instruct on llama.cpp) in a real
pseudo-terminal at 100 columns, captured by `tests/test_chat_offline_pty.py` and written here
by `python3 scripts/chat_offline_transcript.py` (ANSI and spinner frames stripped). Every turn
but one is placed by the rules in `agent/chat/_router.py` and costs no model call; turn 6 is
left to the model, which may only choose among the valid intents and the model's own names (a
JSON schema of enums, compiled to a llama.cpp grammar), and whose choice can answer or ask
back but never edit. The numbers come from the solver: the what-if is solved on an edited
copy and verified, the why-answer is rendered from duals, slacks, reduced costs and HiGHS
ranging by `prompts/chat/why.txt`.

```text
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        screen = Path(folder) / "screen.txt"
        env = {**os.environ, "OPTAGENT_CHAT_TRANSCRIPT": str(screen), "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/test_chat_offline_pty.py"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        text = screen.read_text(encoding="utf-8").rstrip()
    # A spinner redraws its line many times; the terminal shows none of it once the turn ends.
    lines = []
    for line in text.splitlines():
        cleaned = SPINNER.sub("", line)
        if cleaned.strip() or cleaned == line:
            lines.append(cleaned)
    text = "\n".join(lines)
    DOC.write_text(HEAD + text + "\n```\n", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
