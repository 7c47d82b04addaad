"""Optimizers over traced parameters: OptoPrime-style, directional feedback, and OPRO.

Example:
    >>> from agent.llm import LLM, ScriptedFakeBackend
    >>> from agent.trace import backward, graph, node
    >>> from agent.trace.optimizers import OptoPrime
    >>> a = node(1.0, trainable=True, name="a")
    >>> with graph():
    ...     y = a * 2
    >>> opt = OptoPrime([a], llm=LLM(ScriptedFakeBackend(['{"suggestion": {"a": 5.0}}'])))
    >>> opt.zero_feedback(); _ = backward(y, "y should be 10")
    >>> opt.step().applied
    {'a': 5.0}
"""

from agent.trace.optimizers._base import (
    Context,
    StepReport,
    Suggestion,
    TraceOptimizer,
    step_report,
)
from agent.trace.optimizers._directional import DirectionalOptimizer
from agent.trace.optimizers._opro import TraceOPRO
from agent.trace.optimizers._optoprime import OptoPrime
from agent.trace.optimizers._scored import ScoredOptimizer

__all__ = [
    "Context",
    "DirectionalOptimizer",
    "OptoPrime",
    "ScoredOptimizer",
    "StepReport",
    "Suggestion",
    "TraceOPRO",
    "TraceOptimizer",
    "step_report",
]
