"""A prompt on a prompt benchmark (BBH, GSM8K shapes): one record per example, resumable.

The same run directory and record fields as the formulation runs, so ``eval report`` reads
both. The prompt is the task's baseline (an empty instruction for a data file) or the best
prompt a ``optagent prompt optimize`` result.json holds; answers are scored by the task's
exact-match or number metric.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.core import RunSession, Trial
from agent.errors import BudgetExceeded
from evals.runner._records import EvalRunResult
from evals.runner._runner import EVAL

if TYPE_CHECKING:
    from agent.config import Settings

CHUNK = 8


def run_prompt_eval(
    dataset: str | Path,
    *,
    out: str | Path,
    model: str,
    settings: Settings | None = None,
    prompt: str | Path | None = None,
    selection: Mapping[str, Any] | None = None,
    resume: bool = False,
    progress: bool = False,
) -> EvalRunResult:
    """Evaluate a prompt on every selected example of a prompt benchmark.

    Args:
        dataset: a BBH or GSM8K-shaped file.
        out: the run directory.
        model: the model spec answering the prompts.
        settings: resolved settings (budget, cache); read from config files when ``None``.
        prompt: a prompt result.json; the baseline prompt when ``None``.
        selection: ``limit``/``sample``/``seed``.
        resume: continue a run directory (same dataset, prompt and model).
        progress: draw a progress bar.

    Raises:
        ConfigError: a directory holding another run, or resume settings that differ.
        DataError: a bad data or prompt file.
    """
    import random

    from agent.config import load_settings
    from agent.llm import ResponseCache, load
    from agent.tasks.prompt import (
        PromptCandidate,
        PromptResult,
        PromptScorer,
        PromptTask,
    )
    from evals.datasets import detect_format, file_fingerprint, load_prompt_examples
    from evals.runner._progress import EvalProgress

    settings = settings or load_settings()
    fmt = detect_format(dataset)
    examples = load_prompt_examples(dataset)
    sel = dict(selection or {})
    indices = list(range(len(examples)))
    if sel.get("sample") is not None:
        picked = set(
            random.Random(sel.get("seed", 0)).sample(indices, min(sel["sample"], len(indices)))
        )
        indices = [i for i in indices if i in picked]
    if sel.get("limit") is not None:
        indices = indices[: sel["limit"]]
    if prompt is not None:
        result = PromptResult.load(prompt)
        task, candidate = result.task, result.candidate
        prompt_desc: dict[str, Any] = {"file": str(Path(prompt).resolve()), "method": result.method}
    else:
        fields = tuple(examples[0].inputs)
        task = PromptTask(
            name=Path(dataset).stem,
            input_fields=fields,
            answer_kind="number" if fmt in ("gsm8k", "gsm8k_tsv") else "exact",
            max_tokens=256 if fmt in ("gsm8k", "gsm8k_tsv") else 48,
        )
        candidate = PromptCandidate(task.instruction, (), task.position)
        prompt_desc = {"file": None, "method": "baseline"}
    task.check_examples(examples, source=str(dataset))
    config = {
        "task": {"name": Path(dataset).stem},
        "dataset": str(Path(dataset).resolve()),
        "dataset_format": fmt,
        "dataset_fingerprint": file_fingerprint(dataset),
        "mode": f"prompt:{task.answer_kind}",
        "agent": {"model": model, "prompt": prompt_desc, "instruction": candidate.instruction},
        "model": model,
        "optimizer": {"name": "prompt", "model": model},
        "selection": sel,
        "items": [str(i) for i in indices],
        "steps": len(indices),
        "executor": "thread",
        "workers": 1,
        "item_timeout": None,
        "budget": settings.budget.to_dict(),
    }
    session = RunSession.open(out, EVAL, config, resume=resume)
    store, earlier = session.store, session.trials
    records = [dict(t.artifacts) for t in earlier]
    done = {r["id"] for r in records}
    todo = [i for i in indices if str(i) not in done]
    cache_path = session.cache_path  # an eval run always has its folder
    cache = ResponseCache(cache_path) if settings.cache and cache_path else False
    llm = load(model, cache=cache, settings=settings)
    scorer = PromptScorer(llm, task, chunk_size=CHUNK)
    status, reason = "finished", f"{len(indices)} examples evaluated"
    session.status("running", step=len(records))
    bar = EvalProgress(len(indices), done=len(records), enabled=progress)
    try:
        with bar:
            for start in range(0, len(todo), CHUNK):
                chunk = todo[start : start + CHUNK]
                before = llm.usage.snapshot()
                began = time.perf_counter()
                try:
                    graded = scorer.evaluate(candidate, [examples[i] for i in chunk])
                except BudgetExceeded as exc:
                    status, reason = "stopped", str(exc)
                    break
                seconds = (time.perf_counter() - began) / len(chunk)
                after = llm.usage.snapshot()
                share = {
                    "calls": (after.calls - before.calls) / len(chunk),
                    "tokens": (after.total_tokens - before.total_tokens) / len(chunk),
                    "cost_usd": (after.cost_usd - before.cost_usd) / len(chunk),
                }
                for i, res in zip(chunk, graded.results, strict=True):
                    ok = res.score >= 1.0
                    record = {
                        "id": str(i),
                        "category": fmt,
                        "correct": ok,
                        "failure": None if ok else "wrong_value",
                        "score": {
                            "correct": ok,
                            "failure": None if ok else "wrong_value",
                            "detail": f"output {res.output.strip()[:120]!r}, target {res.target!r}",
                        },
                        "prediction": {"status": "answered", "output": res.output},
                        "gold": {"target": res.target},
                        "answer": {},
                        "formulation": None,
                        "code": None,
                        "rounds": [],
                        "error": "",
                        "seconds": round(seconds, 4),
                        "calls": round(share["calls"]),
                        "tokens": round(share["tokens"]),
                        "cost_usd": share["cost_usd"],
                        "usage": share,
                    }
                    session.append(
                        Trial(
                            number=len(records),
                            step=0,
                            index=i,
                            candidate=str(i),
                            score=float(ok),
                            artifacts=record,
                            timings={"eval_s": seconds},
                            finished_at=time.time(),
                        )
                    )
                    records.append(record)
                    bar.advance(record)
                store.write_usage(llm.usage.snapshot().to_dict())
    except KeyboardInterrupt:
        session.status("interrupted", step=len(records), reason="interrupted (Ctrl-C)")
        raise
    session.status(status, step=len(records), reason=reason)
    return EvalRunResult(status, reason, records, session.folder, skipped=len(done))
