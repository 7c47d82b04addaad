"""Run benchmark items through the formulation agent into a run directory, resumable by item id.

The run directory is agent/core's (``JsonlRunStore``), so ``optagent runs list/show`` see eval
runs: ``config.json`` (``kind: eval``, dataset and its fingerprint, mode and why it was
chosen, agent settings, selected item ids),
``trials.jsonl`` with one trial per finished item (its record under ``artifacts``), appended
and fsynced as each item finishes, ``state.json``, ``usage.json`` and ``best.json`` (accuracy
so far). Resume skips every item id already in the journal; a torn last line is dropped.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore, Trial
from agent.errors import BudgetExceeded, ConfigError
from agent.llm import Budget, UsageMeter
from evals.datasets import EvalItem, file_fingerprint, items_fingerprint
from evals.runner._executors import EXECUTORS, Executor, Outcome, make_executor
from evals.runner._oracle_rows import oracle_rows, write_oracle_rows
from evals.runner._work import AgentSettings, Job

FORMAT_VERSION = 1
KIND = "eval"
TIMEOUT = "timeout"
ORACLE_FILE = "oracle.jsonl"
# Settings a resumed run must share with its first part (others, like workers, may change).
RESUME_KEYS = ("dataset", "dataset_fingerprint", "mode", "agent", "selection")
_POLL_S = 0.25


def select_items(
    items: Sequence[EvalItem],
    *,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    ids: Sequence[str] | None = None,
) -> list[EvalItem]:
    """The items a run evaluates: those whose id is in ``ids`` (a split), then a seeded random
    sample (kept in file order), then the first ``limit``.

    Raises:
        ConfigError: a negative count, duplicate item ids (resume needs unique ids), or an id
            in ``ids`` that the dataset does not have.
    """
    present = [item.id for item in items]
    if len(set(present)) != len(present):
        dupes = sorted({i for i in present if present.count(i) > 1})[:5]
        raise ConfigError(f"the dataset repeats item ids {dupes}; ids must be unique to resume")
    chosen = list(items)
    if ids is not None:
        wanted = {str(i) for i in ids}
        missing = sorted(wanted - {str(i) for i in present})[:5]
        if missing:
            raise ConfigError(f"the split names ids the dataset does not have: {missing}")
        chosen = [item for item in chosen if str(item.id) in wanted]
    if sample is not None:
        if sample < 1:
            raise ConfigError(f"--sample must be at least 1, got {sample}")
        picked = set(random.Random(seed).sample(range(len(chosen)), min(sample, len(chosen))))
        chosen = [item for i, item in enumerate(chosen) if i in picked]
    if limit is not None:
        if limit < 0:
            raise ConfigError(f"--limit must be >= 0, got {limit}")
        chosen = chosen[:limit]
    return chosen


def read_split(path: str | Path) -> list[str]:
    """Item ids of a split file: one per line; blank lines and ``#`` comments are skipped.

    Raises:
        ConfigError: the file cannot be read (named).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the split file {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class EvalRunResult:
    """What ``run_eval`` returns.

    Attributes:
        status: ``finished``, ``stopped`` (a budget ended it) or ``interrupted``.
        reason: why it ended, in words.
        records: every finished item's record, in journal order (earlier parts included).
        directory: the run directory.
        skipped: items found finished in the journal and not run again.
    """

    status: str
    reason: str
    records: list[dict[str, Any]]
    directory: Path
    skipped: int = 0
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return sum(bool(r["correct"]) for r in self.records) / len(self.records) if self else 0.0

    def __bool__(self) -> bool:
        return bool(self.records)


def load_records(directory: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The config and item records of an eval run directory.

    Raises:
        ConfigError: the directory is not an eval run.
    """
    path = Path(directory)
    store = JsonlRunStore(path) if path.is_dir() else None
    config = store.read_config() if store else {}
    if config.get("kind") != KIND:
        what = "does not exist" if store is None else "is not an eval run (no kind 'eval')"
        raise ConfigError(f"{path} {what}: pass a directory made by 'optagent eval run'")
    assert store is not None
    return config, [dict(t.artifacts) for t in store.load_trials()]


def _score_record(item: EvalItem, outcome: Outcome, mode: str) -> dict[str, Any]:
    """The item's record from a worker outcome; scoring happens here, next to the gold."""
    from evals.scoring import Prediction, score_item

    if isinstance(outcome, BaseException):
        outcome = {
            "answer": None,
            "prediction": Prediction.failed(
                "error", f"{type(outcome).__name__}: {outcome}"[:500]
            ).to_dict(),
            "error": f"{type(outcome).__name__}: {outcome}"[:500],
            "seconds": 0.0,
            "usage": {},
        }
    prediction = Prediction.from_dict(outcome["prediction"])
    score = score_item(item, prediction, mode).to_dict()
    answer = outcome.get("answer") or {}
    return _record(
        item,
        answer=answer,
        prediction=outcome["prediction"],
        score=score,
        error=outcome.get("error", ""),
        seconds=float(outcome.get("seconds", 0.0)),
        usage=outcome.get("usage") or {},
    )


def _timeout_record(item: EvalItem, seconds: float) -> dict[str, Any]:
    detail = f"the item ran past its {seconds:g} s timeout and was stopped"
    return _record(
        item,
        answer={},
        prediction={"status": TIMEOUT, "objective": None, "quantities": {}, "error": detail},
        score={"correct": False, "failure": TIMEOUT, "detail": detail},
        error=detail,
        seconds=seconds,
        usage={},
    )


def _record(
    item: EvalItem,
    *,
    answer: Mapping[str, Any],
    prediction: Mapping[str, Any],
    score: Mapping[str, Any],
    error: str,
    seconds: float,
    usage: Mapping[str, Any],
) -> dict[str, Any]:
    chains = answer.get("chains") or []
    return {
        "id": item.id,
        "category": item.category,
        "correct": bool(score.get("correct")),
        "failure": score.get("failure"),
        "score": dict(score),
        "prediction": dict(prediction),
        "gold": item.gold.to_dict(),
        "answer": {
            k: answer.get(k)
            for k in ("status", "objective", "quantities", "explanation", "stopped", "rounds_used")
        },
        "formulation": answer.get("formulation"),
        "code": answer.get("code"),
        "rounds": [
            [
                {"status": r.get("status"), "error": (r.get("error") or "")[:300]}
                for r in chain.get("rounds", [])
            ]
            for chain in chains
        ],
        "error": error,
        "seconds": round(seconds, 4),
        "calls": int(usage.get("calls", 0)),
        "tokens": int(usage.get("tokens", 0)),
        "cost_usd": float(usage.get("cost_usd", 0.0)),
        "usage": dict(usage),
    }


class _Totals:
    """Usage of the whole run summed from item records (the process and Ray budgets)."""

    def __init__(self, earlier: Mapping[str, Any], started: float) -> None:
        self.calls = int(earlier.get("calls", 0))
        self.tokens = int(earlier.get("total_tokens", 0))
        self.prompt_tokens = int(earlier.get("prompt_tokens", 0))
        self.completion_tokens = int(earlier.get("completion_tokens", 0))
        self.cost = float(earlier.get("cost_usd", 0.0))
        self.started = started

    def add(self, usage: Mapping[str, Any]) -> None:
        self.calls += int(usage.get("calls", 0))
        self.tokens += int(usage.get("tokens", 0))
        self.prompt_tokens += int(usage.get("prompt_tokens", 0))
        self.completion_tokens += int(usage.get("completion_tokens", 0))
        self.cost += float(usage.get("cost_usd", 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.tokens,
            "cost_usd": self.cost,
            "elapsed_s": time.monotonic() - self.started,
        }

    def share(self, budget: Budget, slots: int, held: Sequence[Budget]) -> Budget | None:
        """An item's part of what is left: ``1/slots`` of each limit after what the run used
        and what the items in flight hold (``held``).

        Returns ``None`` when not even one call (or any token, cost or time) is left now.
        """

        def part(limit: float | None, used: float, name: str, whole: bool) -> float | None:
            if limit is None:
                return None
            left = limit - used - sum(getattr(h, name) or 0 for h in held)
            amount = left // slots if whole else left / slots
            if amount <= 0:
                raise _Spent
            return amount

        try:
            elapsed = time.monotonic() - self.started
            max_time = None if budget.max_time is None else budget.max_time - elapsed
            if max_time is not None and max_time <= 0:
                raise _Spent
            calls = part(budget.max_calls, self.calls, "max_calls", True)
            tokens = part(budget.max_tokens, self.tokens, "max_tokens", True)
            return Budget(
                max_calls=None if calls is None else int(calls),
                max_tokens=None if tokens is None else int(tokens),
                max_cost=part(budget.max_cost, self.cost, "max_cost", False),
                max_time=max_time,
            )
        except _Spent:
            return None


class _Spent(Exception):
    pass


def run_eval(
    items: Sequence[EvalItem],
    *,
    out: str | Path,
    settings: AgentSettings,
    mode: str,
    dataset: str = "",
    dataset_format: str = "",
    mode_reason: str = "",
    selection: Mapping[str, Any] | None = None,
    executor: str | Executor = "thread",
    workers: int = 1,
    ray_address: str | None = None,
    budget: Budget | None = None,
    item_timeout: float | None = None,
    resume: bool = False,
    progress: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> EvalRunResult:
    """Evaluate ``items`` with the formulation agent, one durable record per item.

    Args:
        items: the selected items (see ``select_items``), ids unique.
        out: the run directory.
        settings: how the agent runs (model spec, votes, rounds...).
        mode: the scoring mode (``evals.scoring.SCORING_MODES``).
        dataset: the dataset path, stored in config.json and checked on resume.
        dataset_format: the detected format, for reports.
        mode_reason: why ``mode`` was chosen (stored, and shown by reports).
        selection: ``limit``/``sample``/``seed`` as given, stored and checked on resume.
        executor: ``thread``, ``process``, ``ray`` or a ready ``Executor``.
        workers: items in flight at once.
        ray_address: a Ray cluster address (``--executor ray``); a local instance otherwise.
        budget: hard limits for the whole run. Threads share one meter (exact). Process and Ray
            workers cannot: each item gets ``1/workers`` of what is left when it starts, and
            nothing starts once a limit is spent, so the run stays within the budget. An item
            the budget cut short is not recorded (a resume with more budget runs it).
        item_timeout: seconds per item; an item past it is stopped (processes and Ray tasks
            are killed, a thread is abandoned) and recorded with failure ``timeout``.
        resume: continue a run directory that holds records (same dataset, mode, agent
            settings and selection); finished items are never run again.
        progress: draw a progress bar on stderr.
        on_record: called with each new record.

    Returns:
        An ``EvalRunResult`` with every record of the run.

    Raises:
        ConfigError: bad options, a directory holding another run, or resume settings that
            differ from the stored ones.
        KeyboardInterrupt: after recording the state; finished items stay in the journal.
    """
    from evals.scoring import SCORING_MODES

    if mode not in SCORING_MODES:
        raise ConfigError(f"unknown scoring mode {mode!r}: use one of {', '.join(SCORING_MODES)}")
    if isinstance(executor, str) and executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    if item_timeout is not None and not item_timeout > 0:
        raise ConfigError(f"item timeout must be > 0 seconds, got {item_timeout}")
    select_items(items)  # unique ids
    store = JsonlRunStore(Path(out).resolve())
    if settings.model.startswith("oracle:"):  # workers elsewhere (Ray) need a full path
        path = Path(settings.model.partition(":")[2]).expanduser().resolve()
        if path.is_dir() and not list(path.glob("*.jsonl")):
            path = write_oracle_rows(oracle_rows(items, path), store.directory / ORACLE_FILE)
        settings = replace(settings, model=f"oracle:{path}")
    budget = budget or Budget()
    config = {
        "format": FORMAT_VERSION,
        "kind": KIND,
        "name": store.directory.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "task": {"name": Path(dataset).stem if dataset else "items"},
        "dataset": str(Path(dataset).resolve()) if dataset else "",
        "dataset_format": dataset_format,
        "dataset_fingerprint": (
            file_fingerprint(dataset)
            if dataset and Path(dataset).exists()
            else items_fingerprint(items)
        ),
        "mode": mode,
        "mode_reason": mode_reason,
        "agent": settings.to_dict(),
        "model": settings.model,
        "optimizer": {"name": "formulate", "model": settings.model},
        "selection": dict(selection or {}),
        "items": [item.id for item in items],
        "steps": len(items),
        "executor": executor if isinstance(executor, str) else executor.name,
        "workers": workers,
        "item_timeout": item_timeout,
        "budget": budget.to_dict(),
    }
    earlier = open_run(store, config, resume=resume)
    records = [dict(t.artifacts) for t in earlier]
    done = {r["id"] for r in records}
    todo = [item for item in items if item.id not in done]
    started = time.monotonic()
    totals = _Totals(store.read_usage() if earlier else {}, started)
    shared = UsageMeter(budget, started_at=started)
    if earlier:
        shared.restore(store.read_usage())
    index_of = {item.id: i for i, item in enumerate(items)}
    state = {"status": "running", "reason": "", "step": len(records), "updated": time.time()}
    store.write_state(state)
    from evals.runner._progress import EvalProgress

    bar = EvalProgress(len(items), done=len(records), enabled=progress)
    for r in records:
        bar.advance(r, count=False)

    def finish(record: dict[str, Any]) -> None:
        trial = Trial(
            number=len(records),
            step=0,
            index=index_of[record["id"]],
            candidate=record["id"],
            score=1.0 if record["correct"] else 0.0,
            status="failed" if record["failure"] == TIMEOUT else "ok",
            reason=record["error"] if record["failure"] == TIMEOUT else "",
            artifacts=record,
            timings={"eval_s": record["seconds"]},
            usage={k: record[k] for k in ("calls", "tokens", "cost_usd")},
            finished_at=time.time(),
        )
        store.append_trial(trial)
        records.append(record)
        totals.add(record["usage"])
        store.write_usage(totals.to_dict())
        accuracy = sum(r["correct"] for r in records) / len(records)
        store.write_best({"score": accuracy, "candidate": f"{len(records)} items"})
        store.write_state({**state, "step": len(records), "updated": time.time()})
        bar.advance(record)
        if on_record is not None:
            on_record(record)

    status, reason = "finished", f"{len(items)} items evaluated"
    pool = (
        make_executor(executor, workers=workers, usage=shared, ray_address=ray_address)
        if isinstance(executor, str)
        else executor
    )
    by_id = {item.id: item for item in todo}
    queue = list(reversed(todo))
    running: dict[str, float] = {}
    held: dict[str, Budget] = {}  # process/Ray: the budget share of each item in flight
    threads = pool.name == "thread"
    try:
        with bar:
            while queue or running:
                while queue and len(running) < workers:
                    item_budget = (
                        None
                        if threads
                        else totals.share(budget, workers - len(running), list(held.values()))
                    )
                    spent = _spent(shared) if threads else item_budget is None
                    if spent and running and not threads:
                        break  # items in flight may give some of their share back
                    if spent:
                        status, reason = "stopped", "the budget is spent"
                        queue.clear()
                        break
                    item = queue.pop()
                    pool.start(
                        Job(
                            item.id,
                            item.question,
                            tuple(item.quantities),
                            settings,
                            budget=item_budget,
                        )
                    )
                    running[item.id] = time.monotonic()
                    if item_budget is not None:
                        held[item.id] = item_budget
                if not running:
                    break
                now = time.monotonic()
                wait = _POLL_S
                if item_timeout is not None:
                    nearest = min(running.values()) + item_timeout
                    wait = max(0.0, min(wait, nearest - now))
                for job_id, outcome in pool.wait(wait):
                    held.pop(job_id, None)
                    if running.pop(job_id, None) is None:
                        continue
                    cut = _cut_by_budget(outcome)
                    if cut:  # not a real attempt: left unrecorded, so a resume runs it
                        status, reason = "stopped", f"the budget is spent ({cut})"
                        queue.clear()
                        continue
                    finish(_score_record(by_id[job_id], outcome, mode))
                if item_timeout is not None:
                    now = time.monotonic()
                    for job_id, began in list(running.items()):
                        if now - began >= item_timeout:
                            pool.cancel(job_id)
                            del running[job_id]
                            held.pop(job_id, None)
                            finish(_timeout_record(by_id[job_id], item_timeout))
    except KeyboardInterrupt:
        for job_id in list(running):
            pool.cancel(job_id)
        pool.close()
        usage = totals.to_dict()
        if threads:  # the shared meter also counts the calls of items cut off in flight
            metered = shared.snapshot().to_dict()
            for key in ("calls", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd"):
                usage[key] = max(usage.get(key) or 0, metered.get(key) or 0)
        store.write_usage(usage)
        store.write_state(
            {
                "status": "interrupted",
                "reason": f"interrupted (Ctrl-C) after {len(records)} of {len(items)} items; "
                f"{len(running)} in flight were stopped",
                "step": len(records),
                "updated": time.time(),
            }
        )
        raise
    pool.close()
    store.write_state(
        {"status": status, "reason": reason, "step": len(records), "updated": time.time()}
    )
    return EvalRunResult(
        status,
        reason,
        records,
        store.directory,
        skipped=len(done),
        usage=totals.to_dict(),
    )


def _spent(meter: UsageMeter) -> bool:
    """Whether not even one more call fits in the shared budget."""
    try:
        meter.reserve_call()
    except BudgetExceeded:
        return True
    meter.release_call()
    return False


def _cut_by_budget(outcome: Outcome) -> str:
    """The budget message when the agent stopped an item early for the budget, else ``""``."""
    if isinstance(outcome, BaseException):
        return ""
    return str((outcome.get("answer") or {}).get("stopped") or "")


def open_run(store: JsonlRunStore, config: dict[str, Any], *, resume: bool) -> list[Trial]:
    """Write ``config`` into the run directory and return the items already done there.

    Raises:
        ConfigError: the directory holds a run and ``resume`` is off, or it holds another
            kind of run, or one run with other settings.
    """
    earlier = store.load_trials()
    stored = store.read_config()
    if earlier or stored:
        if not resume:
            raise ConfigError(
                f"{store.directory} already holds an eval run ({len(earlier)} items done); "
                "pass --resume to continue it, or pick another --out"
            )
        _check_resume(stored, config, store.directory)
        if "created" in stored:
            config["created"] = stored["created"]
    store.write_config(config)
    return earlier


def _check_resume(stored: Mapping[str, Any], config: Mapping[str, Any], where: Path) -> None:
    if stored.get("kind") != KIND:
        raise ConfigError(f"{where} holds a run that is not an eval run; pick another --out")
    for key in RESUME_KEYS:
        old, new = stored.get(key), config.get(key)
        if key == "agent":
            old = {k: v for k, v in (old or {}).items() if k != "cache"}
            new = {k: v for k, v in (new or {}).items() if k != "cache"}
        if key == "selection":
            old = {k: v for k, v in (old or {}).items() if k != "limit"}
            new = {k: v for k, v in (new or {}).items() if k != "limit"}
        if key == "dataset_fingerprint" and key not in stored:
            continue  # a run made before fingerprints were kept: its dataset path is checked
        if old != new:
            raise ConfigError(
                f"--resume: {where} was run with {key} {old!r}, not {new!r}; resume with the "
                "same settings (workers, executor and --limit may change) or pick another --out"
            )
