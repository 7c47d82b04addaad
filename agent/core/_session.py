"""``RunSession``: the one place a run folder is opened, checked, written and resumed.

Every kind of run (an optimization, a formulation, an eval run, a prompt eval, a chat session,
an ``optagent hpo`` study) goes through a session: it creates the folder, writes
``config.json`` with its ``kind`` and a config fingerprint, appends finished work to the
fsynced journal, records the status in ``state.json`` and, on resume, refuses a folder written
by another kind of run or with another config, naming the field that differs.

A ``RunKind`` says what is particular to one kind of run: its name in ``config.json``, the
config fields that may change between a run and its resume, and how a user resumes it.

Example:
    >>> import tempfile
    >>> from agent.core import RunKind, RunSession
    >>> kind = RunKind("demo", unit="items", free=("workers",))
    >>> folder = tempfile.mkdtemp()
    >>> session = RunSession.open(folder, kind, {"dataset": "a.jsonl", "workers": 1})
    >>> session.config["kind"], session.resumed
    ('demo', False)
    >>> RunSession.open(folder, kind, {"dataset": "a.jsonl", "workers": 4}, resume=True).resumed
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.core._store import (
    CONFIG_FILE,
    JsonlRunStore,
    RunStore,
    append_line,
    write_json_atomic,
)
from agent.core._trial import Trial
from agent.errors import ConfigError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1

#: config.json fields that may change between a run and its resume without making it another
#: run: bookkeeping, the step total (``steps=`` extends a run), and resources (a resume may
#: raise a budget or use more threads). ``kind`` is checked on its own, before the rest.
UNFINGERPRINTED = frozenset(
    {"format", "kind", "name", "created", "fingerprint", "steps", "concurrency", "budget"}
)


@dataclass(frozen=True)
class RunKind:
    """What is particular to one kind of run.

    Attributes:
        name: the ``kind`` written to config.json (``None``: written by runs that predate
            kinds; such a folder is read as ``legacy``).
        unit: what one journal line is, in messages ("trials", "rounds", "items").
        free: config fields, beside ``UNFINGERPRINTED``, that a resume may change; a dotted
            name (``agent.cache``) frees one field of a nested object.
        legacy: fields a folder written before they existed may lack (not compared then).
        resume_hint: how a user resumes this kind of run, for messages.
        legacy_names: other ``kind`` values that mean this kind (older folders).
        variants: more specific ``kind`` values a caller may write instead of ``name``
            (a prompt or Trace run is an ``optimize`` run); the folder keeps the variant.
        trial_journal: whether trials.jsonl holds ``Trial`` lines (``optagent hpo`` keeps
            its own rows there, written with ``append_record``; they are not read back).
    """

    name: str
    unit: str = "trials"
    free: Sequence[str] = ()
    legacy: Sequence[str] = ()
    resume_hint: str = "resume it"
    legacy_names: Sequence[str | None] = field(default_factory=tuple)
    variants: Sequence[str] = ()
    trial_journal: bool = True

    def matches(self, stored_kind: Any) -> bool:
        return (
            stored_kind == self.name
            or stored_kind in self.legacy_names
            or stored_kind in self.variants
        )

    def written(self, config: Mapping[str, Any]) -> str:
        """The ``kind`` config.json records: the config's own variant, else ``name``."""
        requested = config.get("kind")
        return str(requested) if requested in self.variants else self.name


#: The kinds of run the project writes (the viewer reads ``kind`` from config.json).
OPTIMIZE = RunKind(
    "optimize",
    unit="trials",
    resume_hint="resume it (--resume / Run.resume)",
    legacy_names=(None,),
    variants=("prompt", "trace", "opro-showcase", "evolve"),
)


def config_fingerprint(config: Mapping[str, Any], kind: RunKind | None = None) -> str:
    """A stable hash of a run's config.json (sorted-key JSON, minus the fields a resume may
    change: ``UNFINGERPRINTED`` and ``kind.free``).

    Two runs with the same fingerprint were asked for the same thing: same optimizer settings
    (``Optimizer.describe()``), same direction, target, task and model fields.

    Example:
        >>> a = config_fingerprint({"optimizer": {"name": "random", "seed": 1}, "steps": 3})
        >>> a == config_fingerprint({"steps": 9, "optimizer": {"seed": 1, "name": "random"}})
        True
        >>> a == config_fingerprint({"optimizer": {"name": "random", "seed": 2}})
        False
    """
    kept = _identity(config, kind)
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def stored_fingerprint(config: Mapping[str, Any], kind: RunKind | None = None) -> str:
    """The fingerprint config.json records (computed for runs written before it was stored)."""
    value = config.get("fingerprint")
    return value if isinstance(value, str) and value else config_fingerprint(config, kind)


def _identity(config: Mapping[str, Any], kind: RunKind | None) -> dict[str, Any]:
    """``config`` without the fields a resume may change."""
    kept: dict[str, Any] = json.loads(
        json.dumps({k: v for k, v in config.items() if k not in UNFINGERPRINTED})
    )
    for name in kind.free if kind is not None else ():
        *parents, leaf = name.split(".")
        node: Any = kept
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return kept


def plain(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples become lists), for comparisons.

    Raises:
        ConfigError: the value is not JSON-safe (a NaN, an object).
    """
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"run config must be JSON-safe: {exc}") from None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def config_differences(
    stored: Mapping[str, Any], wanted: Mapping[str, Any], kind: RunKind | None = None
) -> list[str]:
    """The fields (dotted) in which two configs differ, as ``field: old -> new``."""
    old = _flatten(_identity(stored, kind))
    new = _flatten(_identity(wanted, kind))
    for name in kind.legacy if kind is not None else ():
        if not any(k == name or k.startswith(name + ".") for k in old):
            new = {k: v for k, v in new.items() if not (k == name or k.startswith(name + "."))}
    missing = object()
    return [
        f"{key}: {_short(old.get(key, missing))} -> {_short(new.get(key, missing))}".replace(
            repr(missing), "(none)"
        )
        for key in sorted(set(old) | set(new))
        if old.get(key, missing) != new.get(key, missing)
    ]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _optimizer_name(config: Mapping[str, Any]) -> str:
    described = config.get("optimizer")
    if isinstance(described, Mapping):
        return str(described.get("name", "?"))
    return "?"


class RunSession:
    """One run folder, opened for one kind of run.

    Use ``RunSession.open`` (or ``RunSession.start`` / ``RunSession.resume``): they are the
    only code that writes a new ``config.json`` or accepts an existing one.

    Attributes:
        store: where the records go (a ``JsonlRunStore`` for a folder).
        kind: what kind of run this is.
        config: the config.json in force (with ``kind`` and ``fingerprint``).
        trials: the journal read at open (empty for a new run), in journal order.
        resumed: whether the folder held this run already.
    """

    def __init__(
        self,
        store: RunStore,
        kind: RunKind,
        config: dict[str, Any],
        trials: list[Trial],
        *,
        resumed: bool,
    ) -> None:
        self.store = store
        self.kind = kind
        self.config = config
        self.trials = trials
        self.resumed = resumed
        self._lock = threading.Lock()  # appends from several threads (hpo's n_jobs)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        where: RunStore | str | Path,
        kind: RunKind,
        config: Mapping[str, Any],
        *,
        resume: bool = False,
        force: bool = False,
    ) -> RunSession:
        """Start a new run in ``where``, or continue the one there when ``resume`` is set.

        A folder with no run in it starts a new run even with ``resume`` (an eval run's
        ``--resume`` on a fresh folder just starts).

        Raises:
            ConfigError: ``where`` holds a run and ``resume`` is off (and not ``force``); or
                it holds another kind of run, or this kind with another config (the message
                names the field that differs).
        """
        store = _as_store(where)
        if resume and (store.read_config() or (kind.trial_journal and store.load_trials())):
            return cls.resume(store, kind, config, force=force)
        return cls.start(store, kind, config, force=force)

    @classmethod
    def start(
        cls,
        where: RunStore | str | Path,
        kind: RunKind,
        config: Mapping[str, Any],
        *,
        force: bool = False,
    ) -> RunSession:
        """Write ``config.json`` for a new run.

        Raises:
            ConfigError: the folder already holds finished work (resume it, pick another
                folder, or pass ``force`` to start over: the journal, state, best and usage
                are discarded, the response cache is kept).
        """
        store = _as_store(where)
        existing = store.load_trials() if kind.trial_journal else []
        if existing and not force:
            raise ConfigError(
                f"run directory {store.directory} already holds {len(existing)} {kind.unit}; "
                f"{kind.resume_hint}, pick another name, or start it over (force)"
            )
        if existing:
            log.warning(
                "starting %s over: its earlier %s are discarded", store.directory, kind.unit
            )
            store.clear()
        full = _full_config(store, kind, config)
        store.write_config(full)
        return cls(store, kind, full, [], resumed=False)

    @classmethod
    def resume(
        cls,
        where: RunStore | str | Path,
        kind: RunKind,
        config: Mapping[str, Any] | None = None,
        *,
        force: bool = False,
    ) -> RunSession:
        """Continue the run in ``where``.

        ``config`` holds the fields the caller asks for now (``None``: take the stored ones).
        Fields the kind frees (``kind.free``, budgets, step totals) take the new values and
        config.json is rewritten; any other difference refuses the resume.

        Raises:
            ConfigError: no run there; another kind of run; or another config, naming the
                differing fields and both fingerprints (``force`` continues anyway).
        """
        if not isinstance(where, RunStore) and not (Path(where) / CONFIG_FILE).is_file():
            raise ConfigError(
                f"{where}: no config.json, so this is not a run directory; "
                "check the path (optagent runs list shows the runs)"
            )
        store = _as_store(where)
        stored = store.read_config()
        if not stored:
            raise ConfigError(
                f"{store.directory}: no config.json, so this is not a run directory; "
                "check the path (optagent runs list shows the runs)"
            )
        where_text = store.directory if store.directory is not None else "this run store"
        if not kind.matches(stored.get("kind")):
            raise ConfigError(
                f"{where_text} holds a run of kind {stored.get('kind') or 'optimize'!r}, not "
                f"{kind.name!r} (config.json kind: {stored.get('kind')!r}); "
                "resume it with its own command, or pick another folder"
            )
        wanted = {**stored, **plain(dict(config or {}))}
        if wanted.get("kind") != stored.get("kind") and stored.get("kind") in kind.variants:
            raise ConfigError(
                f"{where_text} holds a {stored.get('kind')!r} run, not a "
                f"{wanted.get('kind')!r} one; resume it with its own command"
            )
        wanted["kind"] = kind.written(wanted)
        diffs = config_differences(stored, wanted, kind)
        if diffs:
            message = _mismatch(where_text, stored, wanted, kind, diffs)
            if not force:
                raise ConfigError(message)
            log.warning("%s (continuing: force)", message)
        wanted.pop("fingerprint", None)
        wanted["fingerprint"] = config_fingerprint(wanted, kind)
        if wanted != stored:
            store.write_config(wanted)
        trials = store.load_trials() if kind.trial_journal else []
        log.info("resuming %s with %d %s", store.directory, len(trials), kind.unit)
        return cls(store, kind, wanted, trials, resumed=True)

    # -- recording -------------------------------------------------------------------------

    @property
    def directory(self) -> Path | None:
        return self.store.directory

    @property
    def folder(self) -> Path:
        """The run directory of a run that lives on disk (eval, solve, chat, hpo runs do).

        Raises:
            ConfigError: the run is kept in memory.
        """
        if self.store.directory is None:
            raise ConfigError(f"this {self.kind.name} run is kept in memory: it has no folder")
        return self.store.directory

    @property
    def cache_path(self) -> Path | None:
        """The run's response cache file (``cache.sqlite``), ``None`` in memory."""
        directory = self.store.directory
        return None if directory is None else JsonlRunStore(directory).cache_path

    def append(self, trial: Trial) -> None:
        """Append one finished trial durably (flushed and fsynced before it returns)."""
        self.store.append_trial(trial)

    def append_record(self, name: str, record: Mapping[str, Any]) -> None:
        """Append one JSON line to the folder's file ``name`` durably (a journal that is not
        made of ``Trial`` lines, such as ``optagent hpo``'s)."""
        if self.directory is not None:
            line = json.dumps(record, default=str) + "\n"
            with self._lock:
                append_line(self.directory / name, line)

    def append_text(self, name: str, text: str, *, header: str = "") -> None:
        """Append ``text`` to the folder's file ``name`` durably (``header`` first when the file
        is new): the chat transcript."""
        if self.directory is not None:
            path = self.directory / name
            with self._lock:
                append_line(path, (header if not path.exists() else "") + text)

    def write_json(
        self, name: str, data: Any, *, fsync: bool = True, strict: bool = True
    ) -> Path | None:
        """Replace the folder's file ``name`` with ``data`` atomically; returns its path.
        (``strict=False`` lets non-finite floats through as ``Infinity``/``NaN``.)"""
        if self.directory is None:
            return None
        path = self.directory / name
        write_json_atomic(path, data, fsync=fsync, strict=strict)
        return path

    def status(self, status: str, *, step: int, reason: str = "", **extra: Any) -> None:
        """Record the run's status (``running``, ``finished``, ``stopped``, ``interrupted``,
        ``failed``) in state.json, with the step and the number of journal lines."""
        self.store.write_state(
            {
                "status": status,
                "reason": reason,
                "step": step,
                **extra,
                "updated": time.time(),
            }
        )


def _as_store(where: RunStore | str | Path) -> RunStore:
    return where if isinstance(where, RunStore) else JsonlRunStore(Path(where))


def _full_config(store: RunStore, kind: RunKind, config: Mapping[str, Any]) -> dict[str, Any]:
    directory = store.directory
    full: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "kind": kind.name,
        "name": directory.name if directory is not None else "",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    full.update(plain(dict(config)))
    full["kind"] = kind.written(config)
    full.pop("fingerprint", None)
    full["fingerprint"] = config_fingerprint(full, kind)
    return full


def _mismatch(
    where: Any,
    stored: Mapping[str, Any],
    wanted: Mapping[str, Any],
    kind: RunKind,
    diffs: list[str],
) -> str:
    """Why a resume is refused: the optimizers and fingerprints, then the differing fields."""
    shown = "; ".join(diffs[:6]) + (f"; and {len(diffs) - 6} more" if len(diffs) > 6 else "")
    old, new = _optimizer_name(stored), _optimizer_name(wanted)
    by = f" by optimizer {old!r}" if old != "?" else ""
    now = f" is {new!r} with" if new != "?" else " has"
    return (
        f"{where} was written{by} with config fingerprint {stored_fingerprint(stored, kind)}; "
        f"this run{now} fingerprint {config_fingerprint(wanted, kind)} ({shown}): "
        "resume it with the same optimizer, task and settings, use a new run directory "
        "(--name), or pass force=True to continue anyway"
    )
