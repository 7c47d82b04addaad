"""``TraceObjective``: a traced workflow as the objective of a core run."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from agent.core import Candidate, Evaluation
from agent.trace._backward import FeedbackRecord, subgraph
from agent.trace._errors import SandboxUnavailableError
from agent.trace._graph import graph
from agent.trace._module import Module, named
from agent.trace._node import Node, use_values
from agent.trace._render import render_problems, variable_list

Workflow = Callable[[], "float | tuple[float, Sequence[tuple[Node, str]]]"]


class TraceObjective:
    """Scores a candidate (``{name: value}`` of the parameters) by running a traced workflow
    with those values in place, in this thread only (``use_values``), so evaluations may run
    in parallel.

    The workflow returns the score (higher is better) or ``(score, [(output node, feedback
    text), ...])``. The feedback and the rendered trace that explains each output go into the
    trial (``feedback``; ``artifacts["problems"]``, ``["feedback"]``, ``["variables"]``), so
    the journal holds what the next step's prompt needs and a resumed run asks the same.
    Nothing is attached to the parameters (no ``backward``).

    Args:
        parameters: the same parameters as the optimizer's (a ``Module``, a mapping or nodes).
        workflow: one evaluation (builds its nodes inside, under its own ``graph()`` or ours).
        max_value_chars: longest value shown in a rendered trace.

    Attributes:
        fatal_errors: exception types that end the run instead of failing one trial (a
            missing sandbox is the setup's fault, not the candidate's).

    Example:
        >>> from agent.core import Run
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> from agent.trace import TraceObjective, node
        >>> from agent.trace.optimizers import DirectionalOptimizer
        >>> a = node(0.0, trainable=True, name="a")
        >>> def workflow():
        ...     loss = (a - 3) ** 2
        ...     return -loss.value, [(loss, f"a is {a.value}; the loss is {loss.value}")]
        >>> llm = LLM(ScriptedFakeBackend(['{"suggestion": {"a": 3.0}}']))
        >>> opt = DirectionalOptimizer([a], llm=llm, evaluate=lambda: 0.0, n=1)
        >>> result = Run(TraceObjective([a], workflow), opt, steps=3).optimize()
        >>> result.best.candidate, result.best.score
        ({'a': 3.0}, -0.0)
    """

    fatal_errors: tuple[type[BaseException], ...] = (SandboxUnavailableError,)

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        workflow: Workflow,
        *,
        max_value_chars: int = 400,
    ) -> None:
        if not callable(workflow):
            raise TypeError(f"workflow must be callable, got {type(workflow).__name__}")
        self.params = named(parameters)
        self.names = {param: name for name, param in self.params.items()}
        self.workflow = workflow
        self.max_value_chars = max_value_chars

    def __call__(self, candidate: Candidate) -> Evaluation:
        if not isinstance(candidate, Mapping):
            raise TypeError(f"a trace candidate is a {{name: value}} dict, got {candidate!r:.80}")
        unknown = [name for name in candidate if name not in self.params]
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; known: {list(self.params)}")
        overrides = {self.params[name]: value for name, value in candidate.items()}
        with use_values(overrides), graph("objective"):
            result = self.workflow()
            score, pairs = (result, []) if not isinstance(result, tuple) else result
            score = float(score)
            records = [
                FeedbackRecord(output=out, feedback=str(text), nodes=subgraph(out))
                for out, text in pairs
                if text
            ]
            problems = render_problems(records, self.names, max_value_chars=self.max_value_chars)
        if math.isnan(score):
            raise ValueError("the workflow scored NaN")
        feedback = [record.feedback for record in records]
        return Evaluation(
            score,
            "\n".join(feedback),
            {
                "problems": problems,
                "feedback": feedback,
                "variables": [v.name for v in variable_list(self.names, records)],
            },
        )

    def apply(self, values: Mapping[str, Any]) -> None:
        """Write ``values`` (a trial's candidate) to the parameters."""
        for name, value in values.items():
            self.params[name].value = value
