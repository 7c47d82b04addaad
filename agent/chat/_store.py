"""The session's run directory: ``session.json`` (state) and ``transcript.md``, written after
every turn so that Ctrl-C or a crash loses nothing finished.

Durability: ``session.json`` is replaced atomically (write a temporary file, then rename);
``transcript.md`` is appended and flushed turn by turn.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from agent.chat._state import ChatState, Turn
from agent.errors import DataError

SESSION_FILE = "session.json"
TRANSCRIPT_FILE = "transcript.md"
HISTORY_FILE = "input_history.txt"


def default_run_dir(root: Path = Path("runs")) -> Path:
    """``runs/chat-YYYYmmdd-HHMMSS`` (a suffix is added if that name is taken)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = root / f"chat-{stamp}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = root / f"chat-{stamp}-{suffix}"
    return path


class SessionStore:
    """Reads and writes one chat session's run directory.

    Args:
        run_dir: the folder (created on the first write).
    """

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)

    @property
    def session_path(self) -> Path:
        return self.run_dir / SESSION_FILE

    @property
    def transcript_path(self) -> Path:
        return self.run_dir / TRANSCRIPT_FILE

    @property
    def history_path(self) -> Path:
        """Line-editing history (prompt_toolkit), kept with the session."""
        return self.run_dir / HISTORY_FILE

    def save(self, state: ChatState) -> Path:
        """Write ``session.json`` atomically; returns its path."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        return write_session(state, self.session_path)

    def append_turn(self, turn: Turn) -> None:
        """Append one turn to ``transcript.md`` (the header is written first if needed)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        fresh = not self.transcript_path.exists()
        with self.transcript_path.open("a", encoding="utf-8") as out:
            if fresh:
                out.write(f"# optagent chat: {self.run_dir.name}\n\n")
            out.write(transcript_entry(turn))
            out.flush()
            os.fsync(out.fileno())

    def load(self) -> ChatState:
        """Read ``session.json``.

        Raises:
            DataError: the folder holds no session, or the file is not one.
        """
        if not self.session_path.is_file():
            raise DataError(
                f"{self.run_dir} holds no {SESSION_FILE}: pass the run directory that "
                "`optagent chat` printed at the start of the session"
            )
        return read_session(self.session_path)


def write_session(state: ChatState, path: Path) -> Path:
    """Write ``state`` as JSON to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state.to_dict(), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_session(path: Path) -> ChatState:
    """Read a session file.

    Raises:
        DataError: not JSON or not a chat session.
    """
    data: Any
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    return ChatState.from_dict(data, source=str(path))


def transcript_entry(turn: Turn) -> str:
    """A turn in Markdown: the user's line quoted, the answer as shown, in a text block."""
    quoted = "\n".join(f"> {line}" for line in turn.text.splitlines() or [""])
    body = turn.output.rstrip()
    fence = "```"
    while fence in body:
        fence += "`"
    head = f"## Turn {turn.index} ({turn.route}, {turn.at})"
    return f"{head}\n\n{quoted}\n\n{fence}text\n{body}\n{fence}\n\n"
