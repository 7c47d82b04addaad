"""Evaluation runs: benchmark items through the formulation agent, in parallel, resumable.

Example:
    >>> from evals.runner import AgentSettings, run_eval, select_items   # doctest: +SKIP
    >>> result = run_eval(select_items(items, sample=20, seed=0), out="runs/mamo",
    ...                   settings=AgentSettings("local"), mode="mamo")   # doctest: +SKIP
    >>> result.accuracy                                                  # doctest: +SKIP
"""

from evals.runner._executors import (
    EXECUTORS,
    Executor,
    ProcessExecutor,
    RayExecutor,
    ThreadExecutor,
    make_executor,
    start_ray,
)
from evals.runner._prompt_eval import run_prompt_eval
from evals.runner._records import KIND, TIMEOUT, EvalRunResult, load_records
from evals.runner._runner import EVAL, run_eval
from evals.runner._select import read_split, select_items
from evals.runner._work import (
    AgentSettings,
    Job,
    RunDefaults,
    SharedBudgetMeter,
    run_defaults,
    run_job,
)

__all__ = [
    "EVAL",
    "EXECUTORS",
    "KIND",
    "TIMEOUT",
    "AgentSettings",
    "EvalRunResult",
    "Executor",
    "Job",
    "ProcessExecutor",
    "RayExecutor",
    "RunDefaults",
    "SharedBudgetMeter",
    "ThreadExecutor",
    "load_records",
    "make_executor",
    "read_split",
    "run_defaults",
    "run_eval",
    "run_job",
    "run_prompt_eval",
    "select_items",
    "start_ray",
]
