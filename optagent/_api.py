"""One-call entry points of the public API: ``optimize``, ``formulate`` and ``evaluate``.

Each is a thin function over the package that does the work (``agent.core``,
``agent.formulate``, ``evals.runner``). The formulation agent and the eval runner load on the
first call, so ``import optagent`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.core import Direction, Objective, Run, RunResult, Trial
from agent.errors import ConfigError
from agent.llm import LLM, Budget, UsageMeter
from agent.optimizers import Optimizer

if TYPE_CHECKING:
    from agent.formulate import AgentAnswer
    from evals.datasets import EvalItem
    from evals.runner import AgentSettings, EvalRunResult


def optimize(
    objective: Objective,
    optimizer: Optimizer,
    *,
    steps: int = 10,
    direction: Direction = "maximize",
    run_dir: str | Path | None = None,
    resume: bool = False,
    concurrency: int = 1,
    target: float | None = None,
    budget: Budget | None = None,
    config: Mapping[str, Any] | None = None,
    progress: bool = False,
    on_trial: Callable[[Trial], None] | None = None,
) -> RunResult:
    """Run ``optimizer`` against ``objective`` on the shared loop and return the result.

    The same as ``Run(...).optimize()`` (or ``Run.resume(...).optimize()``); use ``Run`` to
    keep the run object.

    Args:
        objective: ``score(candidate) -> float`` (or ``(float, feedback)``).
        optimizer: proposes candidates from the history (``OPRO``, ``RandomSearch``...).
        steps: loop steps (on resume: a new total).
        direction: ``maximize`` or ``minimize``.
        run_dir: keep the run in this directory (journal, state, best, plots); ``None``
            keeps it in memory.
        resume: continue the run in ``run_dir`` with a fresh, identically built optimizer.
        concurrency: objective evaluations at once.
        target: stop once the best score reaches it.
        budget: limits the loop checks between steps (its own meter; an optimizer's ``LLM``
            meters its own calls).
        config: JSON-safe fields stored in config.json.
        progress: show live progress on stderr.
        on_trial: called with each finished trial.

    Returns:
        The ``RunResult`` (status, best trial, every trial, usage).

    Raises:
        ConfigError: a bad option, or ``resume`` without ``run_dir``.

    Example:
        >>> from optagent import RandomSearch, optimize
        >>> result = optimize(lambda x: -abs(x - 3), RandomSearch(lambda r: r.randint(0, 9),
        ...                   candidates_per_step=4, seed=0), steps=3)
        >>> result.status, result.best.candidate
        ('finished', 3)
    """
    usage = UsageMeter(budget) if budget is not None else None
    if resume:
        if run_dir is None:
            raise ConfigError("resume=True needs run_dir (the directory of the run to continue)")
        run = Run.resume(
            run_dir,
            objective,
            optimizer,
            steps=steps,
            usage=usage,
            progress=progress,
            on_trial=on_trial,
            config=config,
        )
    else:
        run = Run(
            objective,
            optimizer,
            store=run_dir,
            direction=direction,
            steps=steps,
            concurrency=concurrency,
            target=target,
            usage=usage,
            config=config,
            progress=progress,
            on_trial=on_trial,
        )
    return run.optimize()


def formulate(
    text: str,
    *,
    model: str | LLM = "local",
    votes: int = 1,
    max_rounds: int = 3,
    quantities: Sequence[str] | None = None,
    budget: Budget | None = None,
    run_dir: str | Path | None = None,
    time_limit: float | None = 30.0,
    method: str = "auto",
    resume: bool = False,
) -> AgentAnswer:
    """Turn a problem in words into a verified optimum: formulate, solve, verify, correct, vote.

    The formulation agent (``agent.formulate.solve``): the model writes a typed formulation,
    ``solvers`` compiles, solves and verifies it, solver errors go back to the model verbatim,
    and independent formulations vote on the objective.

    Args:
        text: the problem in plain words.
        model: a model spec or a ready ``LLM``.
        votes: independent formulations.
        max_rounds: attempts per formulation.
        quantities: names of values to report ("The number of chairs").
        budget: hard limits on model use (with a spec string; an ``LLM`` carries its own).
        run_dir: keep the run (journal, answer, cache) in this directory.
        time_limit: solver seconds per formulation.
        method: ``formulation``, ``compact``, ``code`` or ``auto``.
        resume: continue the run in ``run_dir``.

    Returns:
        An ``AgentAnswer``; ``status`` is ``optimal`` only for a verified optimum.

    Example:
        >>> from optagent import LLM, ScriptedFakeBackend, formulate
        >>> reply = ('{"variables": [{"name": "x", "upper": 4}],'
        ...          ' "objective": {"sense": "maximize", "expression": "3*x"}}')
        >>> answer = formulate("Maximise 3x with x at most 4.",
        ...                    model=LLM(ScriptedFakeBackend([reply])))
        >>> answer.status, answer.objective
        ('optimal', 12.0)
    """
    from agent.formulate import solve as _solve

    return _solve(
        text,
        model=model,
        votes=votes,
        max_rounds=max_rounds,
        quantities=quantities,
        budget=budget,
        run_dir=run_dir,
        time_limit=time_limit,
        method=method,
        resume=resume,
    )


def evaluate(
    dataset: str | Path | Sequence[EvalItem],
    *,
    out: str | Path,
    model: str = "local",
    mode: str | None = None,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    agent: AgentSettings | None = None,
    executor: str | None = None,
    workers: int = 1,
    budget: Budget | None = None,
    item_timeout: float | None = None,
    resume: bool = False,
    progress: bool = False,
) -> EvalRunResult:
    """Evaluate the formulation agent on a benchmark: one durable record per item, resumable.

    The Python form of ``optagent eval run`` for formulation benchmarks (OptiBench, MAMO,
    ORLM, NLP4LP, JSONL question/answer); the gold answer is scored in this process and never
    reaches a worker. Prompt benchmarks (BBH, GSM8K) go through
    ``evals.runner.run_prompt_eval``.

    Args:
        dataset: a dataset file or folder (format detected from the content), or ready
            ``EvalItem`` records.
        out: the run directory (config.json, trials.jsonl, state, usage, cache).
        model: the model spec; each worker builds its model from it.
        mode: the scoring mode (``evals.scoring.SCORING_MODES``); chosen from the dataset if
            omitted.
        limit, sample, seed: evaluate a seeded sample, then the first ``limit`` items.
        agent: the formulation agent's settings; the model's run defaults if omitted.
        executor: ``thread``, ``process`` or ``ray``; the model's default if omitted.
        workers: items in flight at once.
        budget: hard limits for the whole run.
        item_timeout: seconds per item; the model's default if omitted, ``0`` for none.
        resume: continue the run in ``out``; finished items are never run again.
        progress: draw a progress bar on stderr.

    Returns:
        An ``EvalRunResult`` (status, accuracy, every record).

    Raises:
        ConfigError: a prompt benchmark, bad options, or a directory holding another run.
        DataError: an unreadable dataset.

    Example:
        >>> import tempfile
        >>> from optagent import evaluate
        >>> from evals.datasets import EvalItem, Gold
        >>> items = [EvalItem("1", "Maximise 3x with x at most 4.", Gold(objective=12.0))]
        >>> with tempfile.TemporaryDirectory() as out:
        ...     result = evaluate(items, out=out, model="echo", mode="strict", item_timeout=0)
        >>> result.status, len(result.records), result.accuracy   # echo writes no formulation
        ('finished', 1, 0.0)
    """
    from evals.datasets import detect_format, is_prompt_format, load_items
    from evals.runner import AgentSettings, run_defaults, run_eval, select_items
    from evals.scoring import choose_mode

    defaults = run_defaults(model)
    if isinstance(dataset, str | Path):
        fmt = detect_format(dataset)
        if is_prompt_format(fmt):
            raise ConfigError(
                f"{dataset} is a prompt benchmark ({fmt}); evaluate it with "
                "evals.runner.run_prompt_eval or `optagent eval run`"
            )
        loaded = load_items(dataset, format=fmt)
        name = str(dataset)
    else:
        fmt, loaded, name = "items", list(dataset), ""
    choice = choose_mode(fmt, [item.meta for item in loaded], given=mode)
    items = select_items(loaded, limit=limit, sample=sample, seed=seed)
    settings = agent or AgentSettings(
        model,
        max_rounds=defaults.max_rounds,
        max_tokens=defaults.max_tokens,
        cache=str(Path(out) / "cache.sqlite"),
    )
    timeout = defaults.item_timeout if item_timeout is None else item_timeout
    return run_eval(
        items,
        out=out,
        settings=settings,
        mode=choice.mode,
        dataset=name,
        dataset_format=fmt,
        mode_reason=choice.reason,
        selection={"limit": limit, "sample": sample, "seed": seed},
        executor=executor or defaults.executor,
        workers=workers,
        budget=budget,
        item_timeout=None if timeout == 0 else timeout,
        resume=resume,
        progress=progress,
    )
