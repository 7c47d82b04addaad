"""``optimize_prompt``: the Python API of prompt optimization, on the shared loop.

Flow: build the scoring (and optimizer) model with the run's cache and budget; for exemplar
methods bootstrap a demo pool from the model's own correct answers on train; run the chosen
optimizer on the loop (run directory, journal, resume, budgets come from ``agent.core``);
then, if a test split is given, score the baseline and the best prompt on it outside the search
budget.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from agent.core import JsonlRunStore, PhaseProgress, Run, RunResult, Trial
from agent.errors import BudgetExceeded, ConfigError
from agent.llm import LLM, Budget, UsageMeter, load
from agent.optimizers import (
    BayesianJointSearch,
    ExemplarSearch,
    JointSearch,
    Optimizer,
    ReflectivePareto,
    ReflectiveRewrite,
    instruction_opro,
)
from agent.tasks.prompt._answers import Metric
from agent.tasks.prompt._candidate import PromptCandidate, demos_from, render_question
from agent.tasks.prompt._objective import PromptObjective, RacingObjective
from agent.tasks.prompt._result import PromptResult, task_to_dict
from agent.tasks.prompt._scorer import PromptScorer
from agent.tasks.prompt._task import Demo, Example, Position, PromptTask

Method = Literal["exemplars", "opro", "joint", "reflective", "mipro", "gepa"]
METHODS: tuple[str, ...] = ("exemplars", "opro", "joint", "reflective", "mipro", "gepa")
DEFAULT_STEPS: dict[str, int] = {
    "exemplars": 3,
    "opro": 3,
    "joint": 4,
    "reflective": 3,
    "mipro": 5,
    "gepa": 6,
}
#: Methods that search demo sets and so bootstrap a demo pool first.
POOL_METHODS: tuple[str, ...] = ("exemplars", "joint", "mipro")
POOL_FILE = "pool.json"
RESULT_FILE = "result.json"


def _tidy(task: PromptTask, output: str, target: str) -> str:
    """The first line of an output when it alone is still correct (shorter demos)."""
    text = output.strip()
    first = text.splitlines()[0].strip() if text else ""
    return first if first and task.score(first, target) >= 1.0 else text


def bootstrap_demos(
    scorer: PromptScorer,
    trainset: Sequence[Example],
    *,
    instruction: str,
    position: Position,
    limit: int = 24,
    min_pool: int = 8,
    gold_shots: int = 3,
) -> tuple[list[Demo], int]:
    """Demos from the scoring model's own correct answers on train inputs (Wan et al.).

    First pass: the zero-shot prompt on up to ``limit`` train inputs. If fewer than
    ``min_pool`` answers are correct, a second pass shows ``gold_shots`` gold examples and
    tries the remaining inputs. If still short, gold demos fill the pool up to ``min_pool``.
    A budget stop keeps whatever was collected.

    Returns:
        The pool (bootstrapped first) and the scorer calls spent.
    """
    task = scorer.task
    inputs = list(trainset[:limit])
    pool: list[Demo] = []
    calls = 0

    def harvest(candidate: PromptCandidate, examples: Sequence[Example]) -> list[Example]:
        nonlocal calls
        missed: list[Example] = []
        for start in range(0, len(examples), scorer.chunk_size):
            chunk = examples[start : start + scorer.chunk_size]
            result = scorer.evaluate(candidate, chunk)
            calls += len(chunk)
            for example, row in zip(chunk, result.results, strict=True):
                if row.score >= 1.0 and row.output.strip():
                    answer = _tidy(task, row.output, example.target)
                    pool.append(Demo(dict(example.inputs), answer, origin="bootstrap"))
                else:
                    missed.append(example)
        return missed

    gold_source = list(trainset[limit:]) or list(trainset)
    try:
        missed = harvest(PromptCandidate(instruction, (), position), inputs)
        if len(pool) < min_pool and missed:
            shots = demos_from(gold_source[:gold_shots])
            harvest(PromptCandidate(instruction, shots, position), missed)
    except BudgetExceeded:
        pass
    if len(pool) < min_pool:
        used = {json.dumps(dict(d.inputs), sort_keys=True) for d in pool}
        for demo in demos_from(trainset):
            if len(pool) >= min_pool:
                break
            if json.dumps(dict(demo.inputs), sort_keys=True) not in used:
                pool.append(demo)
    return pool, calls


def _scoring_llm(
    model: str | LLM, run_dir: Path | None, cache: bool | str | None, budget: Budget | None
) -> LLM:
    if isinstance(model, LLM):
        if budget is None:
            return model
        # The caller's LLM is never changed: the search gets its own meter (with ``budget``)
        # over the same backend and cache, so the caller's budget and counters stay theirs.
        return LLM(
            model.backend, cache=model.cache, usage=UsageMeter(budget, prices=model.usage.prices)
        )
    if cache is None and run_dir is not None:
        cache = str(JsonlRunStore(run_dir).cache_path)
    return load(model, cache=cache, budget=budget)


def _optimizer_llm(
    optimizer_model: str | LLM | None, scoring: LLM, model: str | LLM | None = None
) -> LLM:
    if optimizer_model is None or optimizer_model is model:
        return scoring  # the same model: its calls count against the search's meter too
    if isinstance(optimizer_model, LLM):
        return optimizer_model
    if optimizer_model == scoring.spec:
        return scoring
    return load(
        optimizer_model, cache=scoring.cache if scoring.cache else False, usage=scoring.usage
    )


def _history_rows(trials: Sequence[Trial]) -> list[dict[str, Any]]:
    rows = []
    for t in trials:
        candidate = t.candidate if isinstance(t.candidate, dict) else {}
        rows.append(
            {
                "number": t.number,
                "step": t.step,
                "status": t.status,
                "score": t.score,
                "partial_score": (t.artifacts or {}).get("partial_score"),
                "n": (t.artifacts or {}).get("n"),
                "instruction": candidate.get("instruction"),
                "demos": len(candidate.get("demos", []) or []),
                "source": (t.meta or {}).get("source"),
                "reason": t.reason,
            }
        )
    return rows


def make_optimizer(
    method: str,
    *,
    task: PromptTask,
    optimizer_llm: LLM,
    pool: Sequence[Demo],
    trainset: Sequence[Example],
    candidates_per_step: int,
    max_demos: int,
    seed: int,
    valset: Sequence[Example] = (),
) -> Optimizer:
    """The optimizer of a method, configured for ``task``.

    Raises:
        ConfigError: an unknown method.
    """
    baseline = PromptCandidate(task.instruction, (), task.position).to_dict()
    description = task.description or f"answer the {', '.join(task.input_fields)}"
    if method in ("exemplars", "joint"):
        exemplars = ExemplarSearch(
            [d.to_dict() for d in pool],
            instruction=task.instruction,
            position=task.position,
            max_demos=max_demos,
            candidates_per_step=candidates_per_step,
            seed=seed,
        )
        if method == "exemplars":
            return exemplars
    examples = [(render_question(task, e.inputs), e.target) for e in trainset[:3]]
    if method in ("opro", "joint"):
        opro = instruction_opro(
            optimizer_llm,
            task=description,
            baseline=task.instruction,
            position=task.position,
            examples=examples,
            candidates_per_step=candidates_per_step,
            seed=seed,
        )
        return opro if method == "opro" else JointSearch(opro, exemplars)
    if method == "mipro":
        return BayesianJointSearch(
            optimizer_llm,
            task=description,
            baseline=task.instruction,
            position=task.position,
            pool=[d.to_dict() for d in pool],
            examples=examples,
            max_demos=max_demos,
            candidates_per_step=candidates_per_step,
            seed=seed,
        )
    if method == "gepa":
        return ReflectivePareto(
            optimizer_llm,
            task=description,
            baseline=baseline,
            examples=[(render_question(task, e.inputs), e.target) for e in valset],
            candidates_per_step=candidates_per_step,
            seed=seed,
        )
    if method == "reflective":
        return ReflectiveRewrite(
            optimizer_llm,
            task=description,
            baseline=baseline,
            candidates_per_step=candidates_per_step,
            seed=seed,
        )
    raise ConfigError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")


def optimize_prompt(
    task: PromptTask,
    trainset: Sequence[Example],
    valset: Sequence[Example],
    metric: Metric | None = None,
    *,
    model: str | LLM = "local",
    optimizer_model: str | LLM | None = None,
    method: Method = "exemplars",
    budget: Budget | None = None,
    steps: int | None = None,
    candidates_per_step: int = 4,
    max_demos: int = 4,
    bootstrap: int = 24,
    testset: Sequence[Example] = (),
    seed: int = 0,
    racing: bool = True,
    min_batch: int = 8,
    run_dir: str | Path | None = None,
    resume: bool = False,
    cache: bool | str | None = None,
    progress: bool = False,
    config: dict[str, Any] | None = None,
    notify: Callable[[str], None] | None = None,
) -> PromptResult:
    """Optimize a prompt for ``task`` on the shared loop.

    Args:
        task: the task (input fields, answer kind, baseline instruction and position).
        trainset: demos and bootstrapping come from here.
        valset: every candidate is scored on it (the search objective).
        metric: ``(prediction, target) -> float | bool``; overrides the task's metric.
        model: the scoring model (spec or ``LLM``).
        optimizer_model: the model that writes instructions (opro, joint, reflective);
            default the scoring model.
        method: ``exemplars`` (bootstrapped demo sets), ``opro`` (instruction search),
            ``joint`` (both, alternating), ``reflective`` (rewrite from failures), ``mipro``
            (an instruction menu x a demo-set menu combined by Optuna TPE, MIPROv2 style) or
            ``gepa`` (reflective rewrites of Pareto-frontier parents and merges, GEPA style).
        budget: hard limits for the search (bootstrap and validation scoring, optimizer
            calls); a stop keeps the best prompt so far (``status="stopped"``). With an
            ``LLM`` as ``model``, the search meters a copy (same backend and cache); the
            caller's ``LLM``, its budget and counters are left as they were.
        steps: loop steps (default per method); ``candidates_per_step`` proposals each.
        max_demos: the most demos a prompt shows; ``bootstrap`` train inputs are tried.
        testset: if given, the baseline and the best prompt are scored on it after the search,
            outside the budget; the search never sees it.
        seed: seeds every random choice and request.
        racing: race each step's candidates on growing minibatches of ``valset``
            (successive halving, half survive each rung): weak ones stop early as ``pruned``
            trials with their minibatch mean, only the two finalists get the whole split.
            ``False`` scores every candidate on the whole split.
        min_batch: the first rung's minibatch size when racing.
        run_dir: the run directory (journal, state, cache, pool.json, result.json).
        resume: continue the run in ``run_dir`` (same arguments as the first call).
        cache: ``None`` for the run's cache (the shared one without ``run_dir``), ``False``
            for none, or a path.
        progress: show live progress on stderr.
        config: extra JSON-safe fields for config.json (the CLI stores how to rebuild).
        notify: called with a short line when a phase starts (bootstrap, search, test).

    Returns:
        A ``PromptResult``.

    Raises:
        ConfigError: an unknown method, or ``resume`` without ``run_dir``.
        DataError: examples lack the task's input fields.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if resume and run_dir is None:
        raise ConfigError("resume=True needs run_dir (the directory of the run to continue)")
    if metric is not None:
        task = PromptTask(
            **{**{f: getattr(task, f) for f in task.__dataclass_fields__}, "metric": metric}
        )
    task.check_examples(trainset, source="train")
    task.check_examples(valset, source="validation")
    task.check_examples(testset, source="test")
    started = time.perf_counter()
    directory = Path(run_dir) if run_dir is not None else None
    llm = _scoring_llm(model, directory, cache, budget)
    opt_llm = _optimizer_llm(optimizer_model, llm, model)
    scorer = PromptScorer(llm, task)

    pool: list[Demo] = []
    bootstrap_calls = 0
    if method in POOL_METHODS:
        pool_file = directory / POOL_FILE if directory is not None else None
        if resume and pool_file is not None and pool_file.is_file():
            saved = json.loads(pool_file.read_text(encoding="utf-8"))
            pool = [Demo.from_dict(d) for d in saved["demos"]]
            bootstrap_calls = int(saved.get("calls", 0))
        else:
            if notify is not None:
                notify(
                    f"bootstrapping demos from up to {min(bootstrap, len(trainset))} train inputs"
                )
            pool, bootstrap_calls = bootstrap_demos(
                scorer,
                trainset,
                instruction=task.instruction,
                position=task.position,
                limit=bootstrap,
                min_pool=2 * max_demos,
            )
            if pool_file is not None:
                pool_file.parent.mkdir(parents=True, exist_ok=True)
                pool_file.write_text(
                    json.dumps(
                        {"calls": bootstrap_calls, "demos": [d.to_dict() for d in pool]},
                        indent=1,
                        ensure_ascii=False,
                    ),
                    encoding="utf-8",
                )

    optimizer = make_optimizer(
        method,
        task=task,
        optimizer_llm=opt_llm,
        pool=pool,
        trainset=trainset,
        candidates_per_step=candidates_per_step,
        max_demos=max_demos,
        seed=seed,
        valset=valset,
    )
    if min_batch < 1:
        raise ConfigError(f"min_batch must be >= 1, got {min_batch}")
    objective = (
        RacingObjective(scorer, valset, min_batch=min_batch)
        if racing
        else PromptObjective(scorer, valset)
    )
    total_steps = DEFAULT_STEPS[method] if steps is None else steps
    run_config = {
        "kind": "prompt",
        "method": method,
        "model": llm.spec,
        "optimizer_model": opt_llm.spec,
        "task": task_to_dict(task),
        "seed": seed,
        "candidates_per_step": candidates_per_step,
        "max_demos": max_demos,
        "bootstrap": bootstrap,
        "racing": racing,
        "min_batch": min_batch,
        "budget": llm.usage.budget.to_dict(),
        **(config or {}),
    }
    if notify is not None:
        notify(
            f"searching: {method}, {total_steps} steps x {candidates_per_step} candidates on "
            f"{len(valset)} validation examples"
            + (f", racing from minibatches of {min_batch}" if racing else "")
            + (f" (pool of {len(pool)} demos)" if pool else "")
        )
    if resume:
        assert directory is not None
        run = Run.resume(
            directory,
            objective,
            optimizer,
            usage=llm.usage,
            progress=progress,
            steps=steps,
            config=run_config,
        )
    else:
        run = Run(
            objective,
            optimizer,
            store=directory,
            steps=total_steps,
            usage=llm.usage,
            config=run_config,
            progress=progress,
        )
    outcome = run.optimize()
    search_wall = time.perf_counter() - started
    return _result(
        task,
        method,
        llm,
        scorer,
        outcome,
        valset,
        testset,
        bootstrap_calls,
        directory,
        search_wall_s=search_wall,
        progress=progress,
        notify=notify,
    )


def _result(
    task: PromptTask,
    method: str,
    llm: LLM,
    scorer: PromptScorer,
    outcome: RunResult,
    valset: Sequence[Example],
    testset: Sequence[Example],
    bootstrap_calls: int,
    directory: Path | None,
    *,
    search_wall_s: float | None = None,
    progress: bool = False,
    notify: Callable[[str], None] | None = None,
) -> PromptResult:
    baseline = PromptCandidate(task.instruction, (), task.position)
    best = outcome.best
    chosen = PromptCandidate.from_dict(best.candidate) if best is not None else baseline
    search_calls = sum(
        int(t.artifacts.get("calls", 0)) for t in outcome.trials if t.status in ("ok", "pruned")
    )
    baseline_trial = next(
        (t for t in outcome.trials if t.ok and PromptCandidate.from_dict(t.candidate) == baseline),
        None,
    )
    result = PromptResult(
        task=task,
        method=method,
        model=llm.spec,
        instruction=chosen.instruction,
        demos=chosen.demos,
        position=chosen.position,
        val_score=None if best is None else best.score,
        baseline_val_score=None if baseline_trial is None else baseline_trial.score,
        scorer_calls={"bootstrap": bootstrap_calls, "search": search_calls},
        usage=dict(outcome.usage),
        status=outcome.status,
        reason=outcome.reason,
        history=_history_rows(outcome.trials),
        run_dir=None if directory is None else str(directory),
        search_wall_s=search_wall_s,
    )
    if testset:
        test_started = time.perf_counter()
        # Scored outside the search budget: same backend and cache, a fresh meter whose
        # calls the result keeps apart (test_usage), so the summary counts every call.
        test_llm = LLM(llm.backend, cache=llm.cache, usage=UsageMeter())
        test_scorer = PromptScorer(test_llm, task, chunk_size=scorer.chunk_size)
        prompts = [baseline] if chosen == baseline else [baseline, chosen]
        if notify is not None:
            names = " and ".join(("baseline", "optimized")[: len(prompts)])
            notify(f"scoring the {names} prompt on {len(testset)} test examples")
        with PhaseProgress(
            len(prompts) * len(testset), usage=test_llm.usage, enabled=progress
        ) as bar:
            scores = [test_scorer.evaluate(p, testset, on_chunk=bar.advance).score for p in prompts]
        result.baseline_test_score = scores[0]
        result.test_score = scores[-1]
        result.test_size = len(testset)
        result.scorer_calls["test"] = test_scorer.calls
        result.test_usage = test_llm.usage.snapshot().to_dict()
        result.test_wall_s = time.perf_counter() - test_started
    if directory is not None:
        result.save(directory / RESULT_FILE)
    return result
