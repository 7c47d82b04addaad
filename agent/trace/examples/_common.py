"""What every example shares: its setup, the run on the core loop, and the result record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.core import History, Run, RunResult, Trial
from agent.errors import ConfigError
from agent.llm import LLM
from agent.trace._module import Module
from agent.trace._node import Node
from agent.trace._objective import TraceObjective
from agent.trace.optimizers import (
    DirectionalOptimizer,
    OptoPrime,
    StepReport,
    TraceOPRO,
    step_report,
)

OPTIMIZERS = ("directional", "optoprime", "opro")


@dataclass
class Setup:
    """One example, ready to optimize.

    Attributes:
        module: holds the parameters.
        run: one evaluation: returns the score and ``(output node, feedback)`` pairs.
        instruction: the task, for the optimizer's prompt.
    """

    module: Module
    run: Callable[[], tuple[float, list[tuple[Node, str]]]]
    instruction: str

    def score(self) -> float:
        return self.run()[0]


@dataclass
class ExampleResult:
    """What an example run achieved (scores: higher is better)."""

    name: str
    before: float
    after: float
    steps: int
    calls: int
    tokens: int
    values: dict[str, Any] = field(default_factory=dict)
    reports: list[StepReport] = field(default_factory=list)
    directory: Path | None = None
    status: str = "finished"
    reason: str = ""


def make_optimizer(
    kind: str, setup: Setup, llm: LLM, *, n: int, seed: int, **options: Any
) -> OptoPrime:
    """Build the named optimizer over the setup's parameters (``options`` go to it)."""
    classes: dict[str, type[OptoPrime]] = {
        "directional": DirectionalOptimizer,
        "optoprime": OptoPrime,
        "opro": TraceOPRO,
    }
    if kind in classes:
        return classes[kind](
            setup.module,
            llm=llm,
            evaluate=setup.score,
            n=n,
            instruction=setup.instruction,
            seed=seed,
            **options,
        )
    raise ConfigError(f"unknown optimizer {kind!r}; choose one of {', '.join(OPTIMIZERS)}")


def optimize(
    name: str,
    setup: Setup,
    llm: LLM,
    *,
    steps: int,
    optimizer: str = "directional",
    n: int = 2,
    seed: int = 0,
    on_step: Callable[[StepReport, float], None] | None = None,
    optimizer_options: dict[str, Any] | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    config: dict[str, Any] | None = None,
) -> ExampleResult:
    """Optimize an example as a core run: step 0 scores the starting values, each later step
    asks the model from the best trace so far; the run ends after ``steps`` model steps or
    once the feedback is empty (nothing left to fix).

    Args:
        run_dir: keep the run in this directory (journal, state, best, plots); ``None``
            keeps it in memory.
        resume: continue the run in ``run_dir`` (the response cache answers re-asked calls).
        config: more JSON-safe fields for config.json (model spec, budget).
    """
    if steps < 1:
        raise ConfigError(f"steps must be at least 1, got {steps}")
    start = llm.usage.snapshot()
    opt = make_optimizer(optimizer, setup, llm, n=n, seed=seed, **(optimizer_options or {}))
    objective = TraceObjective(setup.module, setup.run, max_value_chars=opt.max_value_chars)
    run_config = {"kind": "trace", "example": name, "task": {"name": name}, **(config or {})}
    seen: list[Trial] = []
    reported: dict[int, StepReport] = {}

    def report_steps(before_step: int | None) -> None:
        """Report every finished model step (all of them when ``before_step`` is None)."""
        done = sorted({t.step for t in seen if t.step > 0} - set(reported))
        for step in done:
            if before_step is not None and step >= before_step:
                break
            so_far = RunResult("running", "", None, list(seen))
            reported[step] = step_report(so_far, step, scored=opt.scored)
            current = opt.current_trial(History([t for t in seen if t.step <= step]))
            if on_step is not None and current is not None and current.score is not None:
                on_step(reported[step], current.score)

    def on_trial(trial: Trial) -> None:
        if seen and trial.step > seen[-1].step:
            report_steps(trial.step)
        seen.append(trial)

    if resume:
        if run_dir is None:
            raise ConfigError("resume needs the run directory")
        run = Run.resume(
            run_dir,
            objective,
            opt,
            steps=steps + 1,
            usage=llm.usage,
            progress=progress,
            config=run_config,
            on_trial=on_trial,
        )
        seen.extend(run.history.trials)
    else:
        run = Run(
            objective,
            opt,
            store=run_dir,
            steps=steps + 1,
            concurrency=opt.workers,
            usage=llm.usage,
            config=run_config,
            progress=progress,
            on_trial=on_trial,
        )
    result = run.optimize()
    seen[:] = result.trials
    report_steps(None)
    reports = [reported[step] for step in sorted(reported)]
    starts = [t for t in result.trials if t.meta.get("source") == "start" and t.ok]
    before = starts[0].score if starts and starts[0].score is not None else setup.score()
    final = opt.current_trial(result.history)
    if final is not None:
        objective.apply(final.candidate)
    after = setup.score()
    end = llm.usage.snapshot()
    return ExampleResult(
        name=name,
        before=before,
        after=after,
        steps=len(reports),
        calls=end.calls - start.calls,
        tokens=end.total_tokens - start.total_tokens,
        values=opt.values(),
        reports=reports,
        directory=result.directory,
        status=result.status,
        reason=result.reason,
    )
