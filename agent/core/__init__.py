"""The optimization loop: trials, history, objectives, run directories and resume.

One loop for every optimizer: the optimizer proposes candidates from the history, the loop
de-duplicates them, evaluates them concurrently, records each finished trial durably and asks
again. See docs/core.md for the contract.

Example:
    >>> from agent.core import Run
    >>> from agent.optimizers import RandomSearch
    >>> result = Run(lambda x: float(x), RandomSearch(lambda r: r.randint(0, 5), seed=0),
    ...              steps=2).optimize()
    >>> result.status
    'finished'
"""

from agent.core._history import History
from agent.core._objective import (
    Objective,
    ObjectiveResult,
    StepEvaluator,
    as_evaluation,
    step_evaluator,
)
from agent.core._plots import plot_curves
from agent.core._progress import PhaseProgress
from agent.core._reader import RunReader, TrialView, candidate_text, find_runs
from agent.core._run import Run, RunResult
from agent.core._session import RunKind, RunSession, config_fingerprint
from agent.core._store import JsonlRunStore, MemoryRunStore, RunStore
from agent.core._trial import (
    Candidate,
    Direction,
    Evaluation,
    PartialEvaluation,
    Proposal,
    Trial,
    TrialStatus,
    candidate_key,
    to_json_value,
)

__all__ = [
    "Candidate",
    "Direction",
    "Evaluation",
    "History",
    "JsonlRunStore",
    "MemoryRunStore",
    "Objective",
    "ObjectiveResult",
    "PartialEvaluation",
    "PhaseProgress",
    "Proposal",
    "Run",
    "RunKind",
    "RunReader",
    "RunResult",
    "RunSession",
    "RunStore",
    "StepEvaluator",
    "Trial",
    "TrialStatus",
    "TrialView",
    "as_evaluation",
    "candidate_key",
    "candidate_text",
    "config_fingerprint",
    "find_runs",
    "plot_curves",
    "step_evaluator",
    "to_json_value",
]
