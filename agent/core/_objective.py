"""The objective contract: score one candidate (and, optionally, a whole step at once)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from agent.core._trial import Candidate, Evaluation, PartialEvaluation, is_finite_score

ObjectiveResult = float | tuple[float, str] | Evaluation

StepResult = ObjectiveResult | PartialEvaluation | Exception
"""What a step evaluator reports for one candidate: a full result, a partial one (stopped
early) or the exception that failed it."""

StepEvaluator = Callable[[Sequence[Candidate]], Iterable[tuple[int, StepResult]]]
"""``evaluate_step(candidates) -> iterable of (position, result)``, see ``step_evaluator``."""


@runtime_checkable
class Objective(Protocol):
    """Anything callable as ``objective(candidate)``.

    It returns a score, a ``(score, feedback)`` pair or an ``Evaluation``. It may be called
    from several threads at once when the run evaluates concurrently, and it should be a pure
    function of the candidate (plus its own seeded randomness) so resumed runs agree with the
    first run. Raising marks the trial ``failed`` with the exception as reason; raising
    ``BudgetExceeded`` stops the run cleanly instead.
    """

    def __call__(self, candidate: Candidate, /) -> ObjectiveResult: ...


def as_evaluation(result: Any) -> Evaluation:
    """Normalise what an objective returned.

    Raises:
        TypeError: the result is none of the accepted shapes.
        ValueError: the score is not a finite number.
    """
    if isinstance(result, Evaluation):
        evaluation = result
    elif isinstance(result, tuple) and len(result) == 2:
        evaluation = Evaluation(score=result[0], feedback=str(result[1]))
    elif isinstance(result, Mapping) and "score" in result:
        evaluation = Evaluation(
            score=result["score"],
            feedback=str(result.get("feedback", "")),
            artifacts=dict(result.get("artifacts") or {}),
        )
    elif isinstance(result, numbers.Real):
        evaluation = Evaluation(score=float(result))
    else:
        raise TypeError(
            f"objective returned {type(result).__name__}; return a float, (float, feedback) "
            "or an Evaluation"
        )
    if not is_finite_score(evaluation.score):
        raise ValueError(f"objective returned a non-finite score {evaluation.score!r}")
    return Evaluation(float(evaluation.score), evaluation.feedback, dict(evaluation.artifacts))


def step_evaluator(objective: Any) -> StepEvaluator | None:
    """The objective's optional step-level hook, or ``None`` when it has none.

    An objective may define ``evaluate_step(candidates)``: it gets every evaluated candidate of
    one step (in slot order) and yields ``(position, result)`` as each candidate's fate is
    known, e.g. racing them on growing minibatches so weak ones stop early. ``result`` is an
    ``ObjectiveResult`` (a full score), a ``PartialEvaluation`` (stopped early, recorded as a
    ``pruned`` trial) or an ``Exception`` (that candidate failed). Raising ``BudgetExceeded``
    stops the run; what was yielded before is kept. It must be deterministic in the
    candidates: on resume the loop calls it again with the same list (the response cache
    answers what was already asked) and records only the slots the journal lacks.
    """
    hook = getattr(objective, "evaluate_step", None)
    return hook if callable(hook) else None
