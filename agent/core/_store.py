"""Where a run keeps its records: the ``RunStore`` contract and its two implementations."""

from __future__ import annotations

import abc
import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent.core._trial import Trial
from agent.errors import ConfigError, DataError

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
TRIALS_FILE = "trials.jsonl"
BEST_FILE = "best.json"
USAGE_FILE = "usage.json"
STATE_FILE = "state.json"
CACHE_FILE = "cache.sqlite"
PLOTS_DIR = "plots"


def append_line(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` durably: written, flushed and fsynced when this returns.

    The one durable append of the project (journals, transcripts); a kill during the call
    leaves at most a torn last line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def write_json_atomic(path: Path, data: Any, *, fsync: bool = True, strict: bool = True) -> None:
    """Replace ``path`` with ``data`` as JSON: a temporary file (fsynced unless ``fsync`` is
    off), then a rename, so a reader sees the old file or the new one, never a mix.

    Raises:
        ValueError: ``data`` holds a non-finite float and ``strict`` is on (run files are
            strict JSON; the chat's session.json keeps Python's ``Infinity``/``NaN``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False, allow_nan=not strict)
        fh.write("\n")
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())
    os.replace(tmp, path)


class RunStore(abc.ABC):
    """Persistence of one run.

    Durability contract (what survives a SIGKILL at any instant):

    - ``append_trial``: when it returns, the trial is durable (journal line written, flushed and
      fsynced). A kill during the call leaves at most one torn last line, which
      ``load_trials`` ignores. Trials are never rewritten.
    - ``write_config``, ``write_state``, ``write_best``, ``write_usage``: atomic replace (write a
      temporary file, fsync, rename): a reader sees the old or the new file, never a mix.
      ``state`` is written at the start of every step, before the optimizer proposes, so
      resume restarts that step from the optimizer state it had then.
      ``best`` and ``usage`` are refreshed after each trial without fsync (a process kill
      cannot lose them; a power cut may lose the last few updates) and are conveniences: resume
      recomputes best from the journal and takes usage from ``usage.json`` (counts of calls
      made after its last write are lost; the response cache still answers those calls).

    Thread safety: methods may be called from any thread; the loop calls them from one.
    """

    @abc.abstractmethod
    def write_config(self, config: Mapping[str, Any]) -> None:
        """Store the run's configuration (task, optimizer, model, budgets, seed)."""

    @abc.abstractmethod
    def read_config(self) -> dict[str, Any]:
        """The stored configuration; ``{}`` when none."""

    @abc.abstractmethod
    def append_trial(self, trial: Trial) -> None:
        """Append one finished trial durably."""

    @abc.abstractmethod
    def load_trials(self) -> list[Trial]:
        """Every durable trial in journal order."""

    @abc.abstractmethod
    def write_state(self, state: Mapping[str, Any]) -> None:
        """Store the loop state (status, step, optimizer ``state_dict``)."""

    @abc.abstractmethod
    def read_state(self) -> dict[str, Any]:
        """The stored loop state; ``{}`` when none."""

    @abc.abstractmethod
    def write_best(self, best: Mapping[str, Any] | None) -> None:
        """Store the best trial so far (``None`` when nothing scored)."""

    @abc.abstractmethod
    def write_usage(self, usage: Mapping[str, Any]) -> None:
        """Store the usage counters (calls, tokens, cost, cache hits)."""

    @abc.abstractmethod
    def read_usage(self) -> dict[str, Any]:
        """The stored usage counters; ``{}`` when none."""

    def clear(self) -> None:
        """Forget the journal, state, best and usage (``Run(..., force=True)`` starts over).

        Raises:
            ConfigError: this store cannot start over.
        """
        raise ConfigError(f"{type(self).__name__} cannot start a run over")

    @property
    def directory(self) -> Path | None:
        """The run directory, or ``None`` for stores that keep nothing on disk."""
        return None


class MemoryRunStore(RunStore):
    """Keeps everything in memory: for quick API calls and tests; nothing is durable."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config: dict[str, Any] = {}
        self._trials: list[dict[str, Any]] = []
        self._state: dict[str, Any] = {}
        self._best: dict[str, Any] | None = None
        self._usage: dict[str, Any] = {}

    def write_config(self, config: Mapping[str, Any]) -> None:
        self._config = json.loads(json.dumps(config))

    def read_config(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._config))

    def append_trial(self, trial: Trial) -> None:
        with self._lock:
            self._trials.append(json.loads(json.dumps(trial.to_dict())))

    def load_trials(self) -> list[Trial]:
        with self._lock:
            return [Trial.from_dict(d) for d in self._trials]

    def write_state(self, state: Mapping[str, Any]) -> None:
        self._state = json.loads(json.dumps(state))

    def read_state(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._state))

    def write_best(self, best: Mapping[str, Any] | None) -> None:
        self._best = None if best is None else dict(best)

    def write_usage(self, usage: Mapping[str, Any]) -> None:
        self._usage = json.loads(json.dumps(usage))

    def read_usage(self) -> dict[str, Any]:
        return dict(self._usage)

    def clear(self) -> None:
        with self._lock:
            self._trials.clear()
        self._state, self._best, self._usage = {}, None, {}


class JsonlRunStore(RunStore):
    """A run directory::

        runs/NAME/
          config.json    what was asked for (task, optimizer, model, budgets, seed)
          trials.jsonl   one line per finished trial, appended, flushed and fsynced
          state.json     status, current step, optimizer state_dict (written each step)
          best.json      the best trial so far
          usage.json     model calls, tokens, cost, cache hits
          cache.sqlite   the run's LLM response cache (when the run owns one)
          plots/*.png    best-score curves

    Args:
        directory: the run directory; created if missing.
    """

    def __init__(self, directory: str | Path) -> None:
        self._dir = Path(directory).expanduser()
        self._dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        return self._dir

    @property
    def cache_path(self) -> Path:
        return self._dir / CACHE_FILE

    @property
    def plots_dir(self) -> Path:
        return self._dir / PLOTS_DIR

    def _write_json(self, name: str, data: Any, *, fsync: bool = True) -> None:
        write_json_atomic(self._dir / name, data, fsync=fsync)

    def _read_json(self, name: str) -> dict[str, Any]:
        path = self._dir / name
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}: not valid JSON ({exc}); delete it or restore a copy"
            ) from None
        if not isinstance(data, dict):
            raise DataError(f"{path}: expected a JSON object")
        return data

    def write_config(self, config: Mapping[str, Any]) -> None:
        self._write_json(CONFIG_FILE, dict(config))

    def read_config(self) -> dict[str, Any]:
        return self._read_json(CONFIG_FILE)

    def append_trial(self, trial: Trial) -> None:
        line = json.dumps(trial.to_dict(), ensure_ascii=False, allow_nan=False) + "\n"
        with self._lock:
            append_line(self._dir / TRIALS_FILE, line)

    def load_trials(self) -> list[Trial]:
        path = self._dir / TRIALS_FILE
        if not path.is_file():
            return []
        raw = path.read_bytes()
        lines = raw.split(b"\n")
        last_filled = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
        trials: list[Trial] = []
        offset = 0
        for i, line in enumerate(lines):
            start, offset = offset, offset + len(line) + 1
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                if i == last_filled:
                    log.warning("%s: ignoring a torn last line (killed mid-write)", path)
                    self._truncate_torn_tail(path, start)
                    break
                raise DataError(
                    f"{path}:{i + 1}: not valid JSON; the journal is damaged before its last "
                    "line, so it cannot be resumed safely"
                ) from None
            trials.append(Trial.from_dict(data))
        return trials

    def _truncate_torn_tail(self, path: Path, keep: int) -> None:
        """Cut a torn last line so later appends start on a fresh line."""
        with self._lock, open(path, "r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())

    def write_state(self, state: Mapping[str, Any]) -> None:
        self._write_json(STATE_FILE, dict(state))

    def read_state(self) -> dict[str, Any]:
        return self._read_json(STATE_FILE)

    def write_best(self, best: Mapping[str, Any] | None) -> None:
        self._write_json(BEST_FILE, dict(best) if best is not None else {}, fsync=False)

    def write_usage(self, usage: Mapping[str, Any]) -> None:
        self._write_json(USAGE_FILE, dict(usage), fsync=False)

    def read_usage(self) -> dict[str, Any]:
        return self._read_json(USAGE_FILE)

    def clear(self) -> None:
        """Remove the journal, state, best and usage files (the response cache stays)."""
        with self._lock:
            for name in (TRIALS_FILE, STATE_FILE, BEST_FILE, USAGE_FILE):
                (self._dir / name).unlink(missing_ok=True)
