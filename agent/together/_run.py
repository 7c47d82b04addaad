"""``better_together``: alternate prompt optimization and LoRA fine-tuning (Soylu et al., 2024).

A strategy is a chain of stages: ``p`` optimizes the prompt (any method of
``optimize_prompt``) on the current model; ``w`` runs the current prompt over the training
split, keeps the outputs the metric accepts, fine-tunes a LoRA adapter on them to early stopping
on a dev split of those traces, and serves base + adapter through llama.cpp from then on.

The run folder is a ``RunSession`` of kind ``better-together``: ``config.json``, one line per
finished stage in ``stages.jsonl``, ``state.json``; each stage works in its own subfolder
(``1-prompt/`` is an ordinary prompt run, ``2-weights/`` holds ``traces.jsonl``, checkpoints and
``adapter.gguf``), and ``program/`` holds the result as one ``TogetherProgram``. A resume skips
finished stages, continues a prompt stage from its journal and a fine-tune from its last
checkpoint.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.core import RunKind, RunSession
from agent.core._store import write_json_atomic
from agent.errors import ConfigError
from agent.llm import LLM, UsageMeter, load
from agent.tasks.prompt import (
    METHODS,
    Example,
    PromptCandidate,
    PromptResult,
    PromptScorer,
    PromptTask,
    format_messages,
    optimize_prompt,
    task_to_dict,
)
from agent.together._program import TogetherProgram, adapter_spec, base_gguf
from agent.tune import ChatExample, ChatTuneSettings

STRATEGIES: tuple[str, ...] = ("p", "w", "p->w", "w->p", "p->w->p")
TOGETHER = RunKind(
    "better-together",
    unit="stages",
    free=("device",),
    resume_hint="continue it with optagent prompt optimize --resume DIR",
    trial_journal=False,
)
STAGES_FILE = "stages.jsonl"
TRACES_FILE = "traces.jsonl"
RESULT_FILE = "result.json"
PROGRAM_DIR = "program"


@dataclass
class TogetherResult:
    """What a BetterTogether run did.

    Attributes:
        strategy: the chain of stages.
        program: the final program (prompt + adapter).
        stages: one record per stage (scores, LLM calls and tokens, traces kept, training
            tokens and losses, outputs the adapter changed, seconds).
        test_score: the program's test accuracy (``None`` without a test split).
        calls: LLM calls of every stage together (the test scoring apart, in ``test_calls``).
        seconds: wall time of the stages run in this process plus those resumed.
    """

    strategy: str
    program: TogetherProgram
    stages: list[dict[str, Any]] = field(default_factory=list)
    val_score: float | None = None
    test_score: float | None = None
    test_size: int = 0
    calls: int = 0
    test_calls: int = 0
    seconds: float = 0.0
    run_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "val_score": self.val_score,
            "test_score": self.test_score,
            "test_size": self.test_size,
            "calls": self.calls,
            "test_calls": self.test_calls,
            "seconds": round(self.seconds, 2),
            "model": self.program.model_spec,
            "adapter": None if self.program.adapter is None else str(self.program.adapter),
            "instruction": self.program.prompt.instruction,
            "demos": len(self.program.prompt.demos),
            "stages": self.stages,
            "run_dir": self.run_dir,
        }


def parse_strategy(strategy: str) -> list[str]:
    """``"p->w->p"`` -> ``["p", "w", "p"]``.

    Raises:
        ConfigError: not one of ``STRATEGIES``.
    """
    text = strategy.replace(" ", "")
    if text not in STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    return text.split("->")


def _usage(llm: LLM) -> dict[str, Any]:
    snap = llm.usage.snapshot()
    return {"calls": snap.calls, "cache_hits": snap.cache_hits, "tokens": snap.total_tokens}


def bootstrap_traces(
    scorer: PromptScorer, candidate: PromptCandidate, examples: Sequence[Example]
) -> tuple[list[dict[str, Any]], int]:
    """Run ``candidate`` over ``examples``; keep the outputs the task's metric accepts.

    Returns:
        Kept traces (inputs, target, output) and how many examples were tried.
    """
    result = scorer.evaluate(candidate, examples)
    kept = [
        {"inputs": dict(r.inputs), "target": r.target, "output": r.output.strip()}
        for r in result.results
        if r.score >= 1.0 and r.output.strip()
    ]
    return kept, len(examples)


def training_examples(
    task: PromptTask, candidate: PromptCandidate, traces: Sequence[dict[str, Any]]
) -> list[ChatExample]:
    """Chat examples from traces: the question under the candidate's instruction (its demos
    left out, as BetterTogether does: the tuned model learns the task, not the demos) and the
    model's own accepted answer as the reply."""
    bare = candidate.replace(demos=())
    return [
        ChatExample(
            tuple(m.to_dict() for m in format_messages(task, bare, t["inputs"])), t["output"]
        )
        for t in traces
    ]


def split_dev(items: Sequence[Any], *, fraction: float, seed: int) -> tuple[list[Any], list[Any]]:
    """A seeded train/dev split; dev gets ``fraction`` of the items (at least 1 of 2+)."""
    order = list(items)
    random.Random(seed).shuffle(order)
    n_dev = max(1, round(fraction * len(order))) if len(order) >= 2 else 0
    return order[n_dev:], order[:n_dev]


def changed_outputs(
    task: PromptTask,
    candidate: PromptCandidate,
    examples: Sequence[Example],
    base: LLM,
    tuned: LLM,
) -> dict[str, Any]:
    """How the adapter changes the program's outputs on ``examples``: count and accuracies."""
    before = PromptScorer(base, task).evaluate(candidate, examples)
    after = PromptScorer(tuned, task).evaluate(candidate, examples)
    changed = sum(a.output != b.output for a, b in zip(before.results, after.results, strict=True))
    return {
        "examples": len(examples),
        "changed": changed,
        "base_score": before.score,
        "tuned_score": after.score,
    }


def better_together(
    task: PromptTask,
    trainset: Sequence[Example],
    valset: Sequence[Example],
    *,
    testset: Sequence[Example] = (),
    strategy: str = "p->w->p",
    model: str = "local",
    prompt_method: str = "exemplars",
    steps: int | None = None,
    candidates_per_step: int = 4,
    max_demos: int = 4,
    bootstrap: int = 24,
    racing: bool = True,
    min_batch: int = 8,
    seed: int = 0,
    dev_fraction: float = 0.2,
    tune: ChatTuneSettings | None = None,
    device: str = "auto",
    run_dir: str | Path,
    resume: bool = False,
    progress: bool = False,
    config: dict[str, Any] | None = None,
    notify: Callable[[str], None] | None = None,
) -> TogetherResult:
    """Optimize a prompt and the weights under it, in the order ``strategy`` gives.

    Args:
        task, trainset, valset, testset: as for ``optimize_prompt``; traces for fine-tuning
            come from ``trainset`` only, the test split is scored once at the end.
        strategy: ``p``, ``w``, ``p->w``, ``w->p`` or ``p->w->p``.
        model: the base model: ``local``, ``local-base`` or ``llamacpp:PATH.gguf``.
        prompt_method: the prompt optimizer of each ``p`` stage (see ``METHODS``).
        steps, candidates_per_step, max_demos, bootstrap, racing, min_batch: passed to each
            ``p`` stage.
        dev_fraction: share of the kept traces held out as the fine-tune's dev split (early
            stopping).
        tune: LoRA and training settings (default ``ChatTuneSettings()``).
        device: ``auto``, ``cpu`` or ``cuda`` for training.
        run_dir: the run folder (required: stages, checkpoints and the program live there).
        resume: continue the run in ``run_dir``.
        config: extra JSON-safe config fields (the CLI stores how to rebuild the task).
        notify: called with a short line when a stage starts.

    Raises:
        ConfigError: an unknown strategy or method, or a base model LoRA cannot run on.
    """
    stages = parse_strategy(strategy)
    if prompt_method not in METHODS:
        raise ConfigError(
            f"unknown prompt method {prompt_method!r}; use one of {', '.join(METHODS)}"
        )
    if not 0.0 < dev_fraction < 1.0:
        raise ConfigError(f"dev_fraction must be in (0, 1), got {dev_fraction}")
    gguf = base_gguf(model) if "w" in stages else None
    tune = tune or ChatTuneSettings()
    for name, examples in (("train", trainset), ("validation", valset), ("test", testset)):
        task.check_examples(examples, source=name)
    directory = Path(run_dir)
    run_config = {
        "kind": "better-together",
        "strategy": "->".join(stages),
        "model": model,
        "task": task_to_dict(task),
        "prompt_method": prompt_method,
        "steps": steps,
        "candidates_per_step": candidates_per_step,
        "max_demos": max_demos,
        "bootstrap": bootstrap,
        "racing": racing,
        "min_batch": min_batch,
        "seed": seed,
        "dev_fraction": dev_fraction,
        "tune": asdict(tune),
        "device": device,
        "sizes": [len(trainset), len(valset), len(testset)],
        **(config or {}),
    }
    if not resume and (directory / "config.json").is_file():
        raise ConfigError(
            f"{directory} already holds a run; {TOGETHER.resume_hint} (resume=True), "
            "or pick another folder"
        )
    session = RunSession.open(directory, TOGETHER, run_config, resume=resume)
    cache = str(session.cache_path)
    done = _finished_stages(directory) if session.resumed else {}
    started = time.perf_counter()
    earlier = sum(float(r.get("seconds", 0.0)) for r in done.values())
    candidate = PromptCandidate(task.instruction, (), task.position)
    prompt_result: PromptResult | None = None
    adapter: Path | None = None
    records: list[dict[str, Any]] = []
    val_score: float | None = None
    session.status("running", step=len(done))
    try:
        for number, letter in enumerate(stages, start=1):
            name = f"{number}-{'prompt' if letter == 'p' else 'weights'}"
            folder = directory / name
            spec = adapter_spec(model, adapter)
            record = done.get(name)
            stage_started = time.perf_counter()
            if letter == "p":
                if record is None and notify is not None:
                    notify(f"stage {name}: prompt optimization ({prompt_method}) on {spec}")
                prompt_result = _prompt_stage(
                    task, trainset, valset, folder=folder, spec=spec, cache=cache,
                    method=prompt_method, steps=steps, candidates_per_step=candidates_per_step,
                    max_demos=max_demos, bootstrap=bootstrap, racing=racing,
                    min_batch=min_batch, seed=seed, progress=progress,
                    finished=record is not None,
                )  # fmt: skip
                candidate = prompt_result.candidate
                val_score = prompt_result.val_score
                if record is None:
                    record = {
                        "stage": name,
                        "kind": "prompt",
                        "model": spec,
                        "val_score": prompt_result.val_score,
                        "baseline_val_score": prompt_result.baseline_val_score,
                        "calls": int(prompt_result.usage.get("calls", 0)),
                        "cache_hits": int(prompt_result.usage.get("cache_hits", 0)),
                        "tokens": int(prompt_result.usage.get("total_tokens", 0)),
                        "instruction": candidate.instruction,
                        "demos": len(candidate.demos),
                    }
            else:
                assert gguf is not None
                if record is None and notify is not None:
                    notify(f"stage {name}: traces on {len(trainset)} train inputs, then LoRA")
                record = record or _weights_stage(
                    task, trainset, valset, candidate, folder=folder, model=model,
                    base_spec=spec, gguf=gguf, cache=cache, tune=tune, device=device,
                    dev_fraction=dev_fraction, seed=seed, resume=session.resumed,
                    notify=notify,
                )  # fmt: skip
                adapter = folder / "adapter.gguf"
                val_score = record["changed"]["tuned_score"]
            if name not in done:
                record["seconds"] = round(time.perf_counter() - stage_started, 2)
                session.append_record(STAGES_FILE, record)
                done[name] = record
                session.status("running", step=len(done))
            records.append(record)
    except KeyboardInterrupt:
        session.status("interrupted", step=len(done), reason="interrupted (Ctrl-C)")
        raise
    prompt_result = prompt_result or PromptResult(
        task=task, method="none", model=model, instruction=task.instruction,
        position=task.position,
    )  # fmt: skip
    program = TogetherProgram(
        prompt=prompt_result,
        base_model=model,
        adapter=adapter,
        strategy="->".join(stages),
        val_score=val_score,
        meta={"run_dir": str(directory)},
    )
    test_calls = 0
    if testset:
        if notify is not None:
            notify(f"scoring the program on {len(testset)} test examples")
        test_llm = load(program.model_spec, cache=cache, usage=UsageMeter())
        program.test_score = program.evaluate(testset, llm=test_llm).score
        program.test_size = len(testset)
        test_calls = test_llm.usage.snapshot().calls
    program.save(directory / PROGRAM_DIR)
    result = TogetherResult(
        strategy=program.strategy,
        program=program,
        stages=records,
        val_score=val_score,
        test_score=program.test_score,
        test_size=program.test_size,
        calls=sum(int(r.get("calls", 0)) for r in records),
        test_calls=test_calls,
        seconds=earlier + time.perf_counter() - started,
        run_dir=str(directory),
    )
    write_json_atomic(directory / RESULT_FILE, result.to_dict())
    session.status("finished", step=len(done))
    return result


def _finished_stages(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / STAGES_FILE
    if not path.is_file():
        return {}
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a kill: that stage runs again
            out[str(record["stage"])] = record
    return out


def _prompt_stage(
    task: PromptTask,
    trainset: Sequence[Example],
    valset: Sequence[Example],
    *,
    folder: Path,
    spec: str,
    cache: str,
    method: str,
    steps: int | None,
    candidates_per_step: int,
    max_demos: int,
    bootstrap: int,
    racing: bool,
    min_batch: int,
    seed: int,
    progress: bool,
    finished: bool,
) -> PromptResult:
    result_file = folder / "result.json"
    if finished and result_file.is_file():
        return PromptResult.load(result_file)
    return optimize_prompt(
        task,
        trainset,
        valset,
        model=load(spec, cache=cache),
        method=method,  # type: ignore[arg-type]  # checked against METHODS by the caller
        steps=steps,
        candidates_per_step=candidates_per_step,
        max_demos=max_demos,
        bootstrap=bootstrap,
        seed=seed,
        racing=racing,
        min_batch=min_batch,
        run_dir=folder,
        resume=(folder / "config.json").is_file(),
        progress=progress,
    )


def _weights_stage(
    task: PromptTask,
    trainset: Sequence[Example],
    valset: Sequence[Example],
    candidate: PromptCandidate,
    *,
    folder: Path,
    model: str,
    base_spec: str,
    gguf: str,
    cache: str,
    tune: ChatTuneSettings,
    device: str,
    dev_fraction: float,
    seed: int,
    resume: bool,
    notify: Callable[[str], None] | None,
) -> dict[str, Any]:
    from agent.tune import tune_chat

    folder.mkdir(parents=True, exist_ok=True)
    base_llm = load(base_spec, cache=cache, usage=UsageMeter())
    traces_file = folder / TRACES_FILE
    if traces_file.is_file():
        saved = json.loads(traces_file.read_text(encoding="utf-8"))
        traces, tried = saved["traces"], int(saved["tried"])
    else:
        traces, tried = bootstrap_traces(PromptScorer(base_llm, task), candidate, trainset)
        write_json_atomic(traces_file, {"tried": tried, "traces": traces})
    trace_usage = _usage(base_llm)
    train_traces, dev_traces = split_dev(traces, fraction=dev_fraction, seed=seed)
    if notify is not None:
        notify(
            f"kept {len(traces)} of {tried} traces; fine-tuning on {len(train_traces)}, "
            f"early stopping on {len(dev_traces)}"
        )
    summary = tune_chat(
        training_examples(task, candidate, train_traces),
        training_examples(task, candidate, dev_traces),
        folder,
        base_gguf=gguf,
        settings=tune,
        device=device,
        resume=resume,
        description=f"optagent better-together {task.name}",
    )
    tuned_llm = load(adapter_spec(model, folder / "adapter.gguf"), cache=cache, usage=UsageMeter())
    changed = changed_outputs(task, candidate, valset, base_llm, tuned_llm)
    base_usage, tuned_usage = _usage(base_llm), _usage(tuned_llm)
    train = summary["result"]
    return {
        "stage": folder.name,
        "kind": "weights",
        "model": base_spec,
        "traces_tried": tried,
        "traces_kept": len(traces),
        "train_traces": len(train_traces),
        "dev_traces": len(dev_traces),
        "train_tokens": train["tokens"],
        "steps": train["steps"],
        "epochs": summary["epochs"],
        "stopped": train["stopped"],
        "base_dev_loss": round(summary["base_dev_loss"], 5),
        "best_dev_loss": round(train["best_dev_loss"], 5),
        "best_step": train["best_step"],
        "train_seconds": round(train["seconds"], 1),
        "tokens_per_second": summary["tokens_per_second"],
        "adapter_sha256": summary["adapter_sha256"],
        "changed": changed,
        "calls": base_usage["calls"] + tuned_usage["calls"],
        "cache_hits": base_usage["cache_hits"] + tuned_usage["cache_hits"],
        "tokens": base_usage["tokens"] + tuned_usage["tokens"],
        "trace_calls": trace_usage["calls"],
    }
