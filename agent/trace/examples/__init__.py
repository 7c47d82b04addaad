"""Runnable examples of trace optimization (``optagent trace example NAME``).

Example:
    >>> from agent.llm import LLM, ScriptedFakeBackend
    >>> from agent.trace.examples import run_example
    >>> reply = '{"suggestion": {"hyperparameters": {"learning_rate": 0.5, "steps": 10}}}'
    >>> result = run_example("hyper", LLM(ScriptedFakeBackend([reply])), steps=1)
    >>> result.after > result.before
    True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.llm import LLM
from agent.trace.examples import _buggy, _hyper, _numeric, _pipeline
from agent.trace.examples._common import OPTIMIZERS, ExampleResult, Setup, optimize
from agent.trace.optimizers import StepReport

EXAMPLES: dict[str, tuple[str, Callable[..., Setup]]] = {
    "numeric": ("tune the slope and intercept of a line", _numeric.build),
    "buggy": ("fix a buggy function from failing unit-test output (code parameter)", _buggy.build),
    "pipeline": ("optimize the instruction inside a two-step LLM pipeline", _pipeline.build),
    "hyper": ("tune a dict of hyperparameters of gradient descent", _hyper.build),
}


def run_example(
    name: str,
    llm: LLM,
    *,
    steps: int = 3,
    optimizer: str = "directional",
    n: int = 2,
    seed: int = 0,
    allow_in_process: bool = False,
    on_step: Callable[[StepReport, float], None] | None = None,
    optimizer_options: dict[str, Any] | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    config: dict[str, Any] | None = None,
) -> ExampleResult:
    """Build example ``name`` and optimize it (a core run; ``run_dir`` keeps it on disk,
    ``resume`` continues it there).

    Raises:
        ConfigError: unknown example or optimizer.
        SandboxUnavailableError: ``buggy`` rewrote its code and no sandbox can run it.
    """
    if name not in EXAMPLES:
        raise ConfigError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLES)}")
    options: dict[str, Any] = {"allow_in_process": allow_in_process}
    setup = EXAMPLES[name][1](llm, **options)
    return optimize(
        name,
        setup,
        llm,
        steps=steps,
        optimizer=optimizer,
        n=n,
        seed=seed,
        on_step=on_step,
        optimizer_options=optimizer_options,
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        config=config,
    )


__all__ = ["EXAMPLES", "OPTIMIZERS", "ExampleResult", "Setup", "run_example"]
