"""The session's run directory: ``session.json`` (state) and ``transcript.md``, written after
every turn so that Ctrl-C or a crash loses nothing finished.

The folder is a ``RunSession`` of kind ``chat`` (agent/core): its ``config.json`` says so, and
continuing a folder written by another kind of run is refused. Durability: ``session.json``
is replaced atomically (a temporary file, fsync, rename); ``transcript.md`` is appended,
flushed and fsynced turn by turn.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from agent.chat._state import ChatState, Turn
from agent.core import RunKind, RunSession
from agent.core._store import CONFIG_FILE, write_json_atomic
from agent.errors import DataError

SESSION_FILE = "session.json"
TRANSCRIPT_FILE = "transcript.md"
HISTORY_FILE = "input_history.txt"
CHAT = RunKind("chat", unit="turns", resume_hint="continue it with optagent chat --resume DIR")


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
        self._session: RunSession | None = None

    def _open(self) -> RunSession:
        """The folder's run session, opened on first use (config.json is written then).

        Raises:
            ConfigError: the folder holds another kind of run.
        """
        if self._session is None:
            self._session = RunSession.open(self.run_dir, CHAT, {}, resume=True)
        return self._session

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
        self._open().write_json(SESSION_FILE, state.to_dict(), strict=False)
        return self.session_path

    def append_turn(self, turn: Turn) -> None:
        """Append one turn to ``transcript.md`` (the header is written first if needed)."""
        header = f"# optagent chat: {self.run_dir.name}\n\n"
        self._open().append_text(TRANSCRIPT_FILE, transcript_entry(turn), header=header)

    def load(self) -> ChatState:
        """Read ``session.json``.

        Raises:
            DataError: the folder holds no session, or the file is not one.
            ConfigError: the folder holds another kind of run.
        """
        if not self.session_path.is_file():
            raise DataError(
                f"{self.run_dir} holds no {SESSION_FILE}: pass the run directory that "
                "`optagent chat` printed at the start of the session"
            )
        if (self.run_dir / CONFIG_FILE).is_file():
            self._open()  # refuses a folder written by another kind of run
        return read_session(self.session_path)


def write_session(state: ChatState, path: Path) -> Path:
    """Write ``state`` as JSON to ``path`` atomically."""
    write_json_atomic(path, state.to_dict(), strict=False)
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
