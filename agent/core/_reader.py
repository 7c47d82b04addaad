"""``RunReader``: a read-only view of any run folder, for viewers and trackers.

Every kind of run keeps a folder with ``config.json`` and a ``trials.jsonl`` journal: core
``Run``s (opro, prompt, trace), the formulation agent (``kind: solve``), eval runs
(``kind: eval``, one trial per item) and ``optagent hpo`` (``kind: hpo``, Optuna rows with
``state``/``value``/``params``). The reader turns each into the same shape: ``TrialView`` rows,
a status, the best score, the best-so-far curve, calls and cost.

It never writes: a torn last journal line (a run writing it now, or killed mid-write) is left
alone and noted, not cut as ``JsonlRunStore.load_trials`` does on resume. Reading is
incremental: ``refresh()`` parses only the bytes appended since the last call, so a viewer can
poll a run of 10,000 trials cheaply. Nothing here raises for bad data; problems become
``notes``, sentences a page can show.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.core._store import BEST_FILE, CONFIG_FILE, PLOTS_DIR, STATE_FILE, TRIALS_FILE, USAGE_FILE

#: The newest run-folder format this reader knows (``config.json`` ``format``).
KNOWN_FORMAT = 1
SUMMARY_FILE = "summary.json"  # optagent hpo's end-of-study summary
_HPO_STATES = {"COMPLETE": "ok", "FAIL": "failed", "PRUNED": "pruned"}
_KINDS_WITH_FORMAT = ("solve", "eval", "opro-showcase", "prompt", "trace", "evolve", "optimize")


@dataclass(frozen=True, slots=True)
class TrialView:
    """One journal line in the shape every run kind shares.

    Attributes:
        number: position in the journal, from 0.
        step: the optimizer step (the round for solve runs), from 0.
        index: the candidate's place within its step (the chain for solve runs).
        status: ``ok``, ``skipped``, ``failed``, ``pruned`` (HPO: also ``running`` etc.).
        score: the objective value, ``None`` unless scored.
        candidate: the JSON candidate (prompt, formulation, parameters, item id).
        reason: why it was not scored.
        feedback: the objective's text feedback.
        meta: the optimizer's notes (the raw reply, reasoning...).
        artifacts: the objective's extras (an eval item's record, a trace's problems...).
        usage: model use while it ran.
    """

    number: int
    step: int
    status: str
    score: float | None
    candidate: Any
    index: int = 0
    reason: str = ""
    feedback: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    artifacts: Mapping[str, Any] = field(default_factory=dict)
    usage: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reasoning(self) -> str:
        """The LLM's reasoning where the optimizer recorded it, else its raw reply."""
        for key in ("reasoning", "raw"):
            value = self.meta.get(key)
            if isinstance(value, str) and value.strip():
                return value
        return ""


def candidate_text(candidate: Any) -> str:
    """A candidate as text for tables and diffs: strings as they are, the rest as JSON."""
    if isinstance(candidate, str):
        return candidate
    return json.dumps(candidate, indent=2, ensure_ascii=False, default=str)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class RunReader:
    """Reads one run folder; call ``refresh()`` to pick up what the run appended since.

    Args:
        directory: the folder. A folder that is not a run gives a reader with
            ``is_run == False`` and a note saying why.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.config: dict[str, Any] = {}
        self.state: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}
        self.best_file: dict[str, Any] = {}
        self.trials: list[TrialView] = []
        self._offset = 0
        self._stamps: dict[str, tuple[int, int]] = {}
        self._line_notes: list[str] = []
        self._file_notes: dict[str, str] = {}
        self._torn = False
        self._lines = 0
        self._best: list[int | None] = []  # journal index of the best trial after each trial
        self._curve: list[tuple[int, float]] = []
        self._correct = 0
        self.refresh()

    # -- reading -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def is_run(self) -> bool:
        return (self.directory / CONFIG_FILE).is_file()

    @property
    def kind(self) -> str:
        """``opro-showcase``, ``prompt``, ``trace``, ``solve``, ``eval``, ``hpo``, ``chat`` or
        ``optimize`` (a core run of no more specific kind, or one that predates kinds)."""
        kind = self.config.get("kind")
        return str(kind) if kind else "optimize"

    @property
    def direction(self) -> str:
        direction = self.config.get("direction")
        return direction if direction in ("maximize", "minimize") else "maximize"

    def _changed(self, name: str) -> bool:
        """Whether ``name`` changed since it was last read (size and mtime)."""
        try:
            st = os.stat(self.directory / name)
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = (-1, -1)
        if self._stamps.get(name) == stamp:
            return False
        self._stamps[name] = stamp
        return True

    def _json(self, name: str) -> dict[str, Any]:
        self._file_notes.pop(name, None)
        path = self.directory / name
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._file_notes[name] = f"{name} is not valid JSON ({exc}); it is ignored"
            return {}
        if not isinstance(data, dict):
            self._file_notes[name] = f"{name} holds a {type(data).__name__}, not an object"
            return {}
        return data

    def refresh(self) -> RunReader:
        """Read what changed since the last call; returns ``self``."""
        if self._changed(CONFIG_FILE):
            self.config = self._json(CONFIG_FILE)
        if self._changed(STATE_FILE):
            self.state = self._json(STATE_FILE)
        if self._changed(USAGE_FILE):
            self.usage = self._json(USAGE_FILE)
        if self._changed(BEST_FILE):
            self.best_file = self._json(BEST_FILE)
        if self.kind == "hpo" and self._changed(SUMMARY_FILE):
            summary = self._json(SUMMARY_FILE)
            self.state = {"status": "finished"} if summary else {}
            self.usage = dict(summary.get("usage") or {})
        if self._changed(TRIALS_FILE):
            self._read_journal()
        return self

    def _read_journal(self) -> None:
        path = self.directory / TRIALS_FILE
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if size < self._offset:  # started over (force=True): read it again
            self._reset_journal()
        try:
            with open(path, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except OSError:
            return
        end = chunk.rfind(b"\n") + 1
        for line in chunk[:end].split(b"\n"):
            self._lines += 1
            if line.strip():
                self._add_line(line)
        self._lines -= 1  # the split gives one empty piece after the last newline
        self._offset += end
        self._torn = bool(chunk[end:].strip())

    def _reset_journal(self) -> None:
        self.trials, self._best, self._curve = [], [], []
        self._offset, self._lines, self._correct, self._line_notes = 0, 0, 0, []

    def _add_line(self, line: bytes) -> None:
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError(f"a {type(data).__name__}, not an object")
            trial = self._trial(data, len(self.trials))
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            if len(self._line_notes) < 20:
                self._line_notes.append(
                    f"{TRIALS_FILE} line {self._lines}: unreadable ({exc}); skipped"
                )
            return
        self.trials.append(trial)
        self._track(trial)

    def _trial(self, data: Mapping[str, Any], position: int) -> TrialView:
        if self.kind == "hpo":
            state = str(data.get("state", ""))
            return TrialView(
                number=int(data.get("number", position)),
                step=int(data.get("number", position)),
                status=_HPO_STATES.get(state, state.lower() or "unknown"),
                score=_finite(data.get("value")),
                candidate=data.get("params") or {},
                artifacts={"user_attrs": data.get("user_attrs") or {}},
                meta={
                    k: v
                    for k, v in (data.get("user_attrs") or {}).items()
                    if k in ("reasoning", "raw")
                },
            )
        status = str(data.get("status", "ok"))
        return TrialView(
            number=int(data.get("number", position)),
            step=int(data.get("step", 0)),
            index=int(data.get("index") or 0),
            status=status,
            score=_finite(data.get("score")) if status == "ok" else None,
            candidate=data.get("candidate"),
            reason=str(data.get("reason") or ""),
            feedback=str(data.get("feedback") or ""),
            meta=dict(data.get("meta") or {}),
            artifacts=dict(data.get("artifacts") or {}),
            usage=dict(data.get("usage") or {}),
        )

    def _better(self, a: float, b: float) -> bool:
        return a > b if self.direction == "maximize" else a < b

    def _track(self, trial: TrialView) -> None:
        i = len(self.trials) - 1
        prev = self._best[-1] if self._best else None
        if self.kind == "eval":
            self._correct += bool(trial.artifacts.get("correct", trial.score))
            self._curve.append((i + 1, self._correct / (i + 1)))
            self._best.append(prev)
            return
        score = trial.score
        if score is not None:
            best = None if prev is None else self.trials[prev].score
            if best is None or self._better(score, best):
                prev, best = i, score
            self._curve.append((i, best))
        self._best.append(prev)

    # -- derived views -----------------------------------------------------------------

    @property
    def notes(self) -> list[str]:
        """What a reader should know about this folder: not a run, an older or newer format,
        unreadable files or lines, a half-written last line."""
        if not self.is_run:
            if self.directory.is_dir():
                return [
                    f"{self.directory} has no {CONFIG_FILE}, so it is not a run folder "
                    "(a run folder holds config.json and trials.jsonl)"
                ]
            return [f"{self.directory} does not exist or is not a folder"]
        out = list(self._file_notes.values())
        fmt = self.config.get("format")
        if CONFIG_FILE not in self._file_notes and self.kind in _KINDS_WITH_FORMAT:
            if fmt is None:
                out.append(
                    "config.json has no format field: written by an older version of "
                    "optagent; fields it lacks are shown as -"
                )
            elif isinstance(fmt, int) and fmt > KNOWN_FORMAT:
                out.append(
                    f"written by a newer optagent (format {fmt}; this viewer reads up to "
                    f"{KNOWN_FORMAT}); some fields may be missing"
                )
        out.extend(self._line_notes)
        if self._torn:
            out.append(
                f"the last line of {TRIALS_FILE} is half-written (the run is writing it now, "
                "or was killed mid-write); it is left out"
            )
        return out

    @property
    def status(self) -> str:
        if not self.is_run:
            return "not a run"
        status = self.state.get("status")
        if status:
            return str(status)
        return "running" if self.kind == "hpo" and self.trials else "new"

    def best_index(self) -> int | None:
        """Journal index of the best scored trial."""
        return self._best[-1] if self._best else None

    def best_before(self, index: int) -> int | None:
        """Journal index of the best trial recorded before trial ``index`` (the one a new
        candidate is compared with), ``None`` when none scored yet."""
        if index <= 0 or index > len(self._best):
            return None
        return self._best[index - 1]

    @property
    def best_score(self) -> float | None:
        """The best score; for eval runs the accuracy so far, for solve runs the answer's
        objective."""
        if self.kind == "eval":
            return self._curve[-1][1] if self._curve else None
        if self.kind == "solve" and "objective" in self.best_file:
            return _finite(self.best_file.get("objective"))
        best = self.best_index()
        return None if best is None else self.trials[best].score

    def curve(self, since: int = 0) -> list[tuple[int, float]]:
        """Best score so far (eval: accuracy so far) after each scored trial, as
        ``(trial number, value)``, from point ``since`` on."""
        return self._curve[since:]

    @property
    def model(self) -> str:
        optimizer = self.config.get("optimizer")
        fallback = optimizer.get("model") if isinstance(optimizer, dict) else None
        return str(self.config.get("model") or fallback or "-")

    @property
    def task(self) -> str:
        task = self.config.get("task")
        if isinstance(task, dict):
            return str(task.get("name", "-"))
        if self.kind == "solve":
            problem = " ".join(str(self.config.get("problem", "")).split())
            return problem[:40] + ("..." if len(problem) > 40 else "")
        if self.kind == "hpo":
            return Path(str(self.config.get("objective_file", "-"))).stem
        return str(task or "-")

    @property
    def optimizer(self) -> str:
        optimizer = self.config.get("optimizer")
        if isinstance(optimizer, dict):
            return str(optimizer.get("name", "-"))
        if self.kind == "solve":
            return f"{self.config.get('method', '-')} x{self.config.get('votes', 1)}"
        if self.kind == "hpo":
            return "llambo"
        return "-"

    def progress(self) -> tuple[int, Any]:
        """``(step reached, steps asked for)``; for solve runs the correction round of the
        latest journaled round and ``max_rounds`` (``"-"`` when the config has no total)."""
        step = int(self.state.get("step") or 0)
        if self.kind == "solve":
            return step + (1 if self.trials else 0), self.config.get("max_rounds", "-")
        return step, self.config.get("steps", "-")

    def top(self, k: int) -> list[TrialView]:
        """The ``k`` best scored trials, best first, one per candidate."""
        ranked = sorted(
            (t for t in self.trials if t.score is not None),
            key=lambda t: t.score if t.score is not None else 0.0,
            reverse=self.direction == "maximize",
        )
        out: list[TrialView] = []
        seen: set[str] = set()
        for trial in ranked:
            key = candidate_text(trial.candidate)
            if key not in seen:
                seen.add(key)
                out.append(trial)
            if len(out) >= k:
                break
        return out

    def counts(self) -> dict[str, int]:
        """Trials by status."""
        return dict(Counter(t.status for t in self.trials))

    def summary(self) -> dict[str, Any]:
        """The JSON-safe figures a runs list shows."""
        usage = self.usage
        return {
            "name": self.name,
            "kind": self.kind if self.is_run else "-",
            "task": self.task if self.is_run else "-",
            "optimizer": self.optimizer if self.is_run else "-",
            "model": self.model if self.is_run else "-",
            "status": self.status,
            "reason": str(self.state.get("reason", "")),
            "direction": self.direction,
            "trials": len(self.trials),
            "counts": self.counts(),
            "best": self.best_score,
            "calls": int(usage.get("calls") or 0),
            "tokens": int(usage.get("total_tokens") or 0),
            "cost": float(usage.get("cost_usd") or 0.0),
            "notes": self.notes,
        }

    def eval_breakdown(self) -> dict[str, Any]:
        """Eval runs: accuracy by category and the failures, each with its items' positions."""
        categories: dict[str, dict[str, Any]] = {}
        failures: dict[str, list[int]] = {}
        for i, trial in enumerate(self.trials):
            record = trial.artifacts
            row = categories.setdefault(
                str(record.get("category") or "-"), {"items": 0, "correct": 0}
            )
            row["items"] += 1
            row["correct"] += bool(record.get("correct"))
            failure = record.get("failure")
            if failure is not None:
                failures.setdefault(str(failure), []).append(i)
        for row in categories.values():
            row["accuracy"] = row["correct"] / row["items"]
        return {
            "by_category": dict(sorted(categories.items())),
            "failures": dict(sorted(failures.items(), key=lambda kv: -len(kv[1]))),
        }

    def plots(self) -> list[str]:
        """Picture files in the run's ``plots/`` folder (names)."""
        folder = self.directory / PLOTS_DIR
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.suffix in (".png", ".svg"))


def find_runs(paths: list[Path]) -> list[Path]:
    """Run folders among ``paths``: a path that is a run, or the runs directly inside it.
    A path that is neither is kept, so a viewer can say why it shows nothing."""
    out: list[Path] = []
    for path in paths:
        if (path / CONFIG_FILE).is_file() or not path.is_dir():
            out.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if (p / CONFIG_FILE).is_file())
        out.extend(inside or [path])
    return out
