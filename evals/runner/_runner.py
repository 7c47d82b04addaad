"""Run benchmark items through the formulation agent into a run directory, resumable by item id.

The run directory is a ``RunSession`` of kind ``eval`` (agent/core), so ``optagent runs
list/show`` see eval runs: ``config.json`` (``kind: eval``, dataset and its fingerprint, mode
and why it was chosen, agent settings, selected item ids), ``trials.jsonl`` with one trial per
finished item (its record under ``artifacts``), appended and fsynced as each item finishes,
``state.json``, ``usage.json`` and ``best.json`` (accuracy so far). Resume skips every item id
already in the journal; a torn last line is dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from agent.core import RunKind, RunSession, Trial
from agent.errors import ConfigError
from agent.llm import Budget, UsageMeter
from evals.datasets import EvalItem, file_fingerprint, items_fingerprint
from evals.runner._budget_share import Totals, budget_spent, cut_by_budget
from evals.runner._executors import EXECUTORS, Executor, make_executor
from evals.runner._oracle_rows import oracle_rows, write_oracle_rows
from evals.runner._records import (
    KIND,
    TIMEOUT,
    EvalRunResult,
    load_records,
    score_record,
    timeout_record,
)
from evals.runner._select import read_split, select_items
from evals.runner._work import AgentSettings, Job

__all__ = ["EVAL", "KIND", "TIMEOUT", "EvalRunResult", "load_records", "read_split", "run_eval"]

ORACLE_FILE = "oracle.jsonl"
EVAL = RunKind(
    KIND,
    unit="items",
    # Resources and the item list (--limit may grow) may change on resume; the dataset, mode,
    # agent settings and the rest of the selection may not.
    free=(
        "items",
        "executor",
        "workers",
        "item_timeout",
        "mode_reason",
        "dataset_format",
        "agent.cache",
        "selection.limit",
    ),
    legacy=("dataset_fingerprint",),  # runs made before fingerprints: the path is checked
    resume_hint="pass --resume to continue it",
)
_POLL_S = 0.25


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
    directory = Path(out).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if settings.model.startswith("oracle:"):  # workers elsewhere (Ray) need a full path
        path = Path(settings.model.partition(":")[2]).expanduser().resolve()
        if path.is_dir() and not list(path.glob("*.jsonl")):
            path = write_oracle_rows(oracle_rows(items, path), directory / ORACLE_FILE)
        settings = replace(settings, model=f"oracle:{path}")
    budget = budget or Budget()
    config = {
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
    session = RunSession.open(directory, EVAL, config, resume=resume)
    store, earlier = session.store, session.trials
    records = [dict(t.artifacts) for t in earlier]
    done = {r["id"] for r in records}
    todo = [item for item in items if item.id not in done]
    started = time.monotonic()
    totals = Totals(store.read_usage() if earlier else {}, started)
    shared = UsageMeter(budget, started_at=started)
    if earlier:
        shared.restore(store.read_usage())
    index_of = {item.id: i for i, item in enumerate(items)}
    session.status("running", step=len(records))
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
        session.append(trial)
        records.append(record)
        totals.add(record["usage"])
        store.write_usage(totals.to_dict())
        accuracy = sum(r["correct"] for r in records) / len(records)
        store.write_best({"score": accuracy, "candidate": f"{len(records)} items"})
        session.status("running", step=len(records))
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
                    spent = budget_spent(shared) if threads else item_budget is None
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
                    cut = cut_by_budget(outcome)
                    if cut:  # not a real attempt: left unrecorded, so a resume runs it
                        status, reason = "stopped", f"the budget is spent ({cut})"
                        queue.clear()
                        continue
                    finish(score_record(by_id[job_id], outcome, mode))
                if item_timeout is not None:
                    now = time.monotonic()
                    for job_id, began in list(running.items()):
                        if now - began >= item_timeout:
                            pool.cancel(job_id)
                            del running[job_id]
                            held.pop(job_id, None)
                            finish(timeout_record(by_id[job_id], item_timeout))
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
        session.status(
            "interrupted",
            step=len(records),
            reason=f"interrupted (Ctrl-C) after {len(records)} of {len(items)} items; "
            f"{len(running)} in flight were stopped",
        )
        raise
    pool.close()
    session.status(status, step=len(records), reason=reason)
    return EvalRunResult(
        status,
        reason,
        records,
        session.folder,
        skipped=len(done),
        usage=totals.to_dict(),
    )
