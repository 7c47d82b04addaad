"""Trace-style optimization of Python workflows.

Wrap values in nodes (``node``), make functions traced operators (``bundle``), run an
evaluation inside ``with graph():`` (one graph per evaluation, safe across threads), send
feedback with ``backward(output, feedback)``, and let an optimizer ``step()``. For a run with
a folder, budgets and resume, hand ``agent.core.Run`` a ``TraceObjective`` and an optimizer
from ``agent.trace.optimizers`` (docs/trace.md).

Example:
    >>> from agent.trace import backward, graph, node
    >>> a = node(2.0, trainable=True, name="a")
    >>> with graph() as g:
    ...     y = a * 3 + 1
    >>> record = backward(y, "y should be 10")
    >>> [p.name for p in record.parameters]
    ['a']
"""

from agent.trace._backward import FeedbackRecord, backward, subgraph
from agent.trace._bundle import BundledFunction, bundle
from agent.trace._dot import render_dot, to_dot
from agent.trace._errors import SandboxUnavailableError, TraceError, TraceExecutionError
from agent.trace._graph import Graph, current_graph, graph
from agent.trace._module import Module
from agent.trace._node import Node, Operator, node, use_values
from agent.trace._objective import TraceObjective
from agent.trace._runner import CodeRunner, InProcessRunner, SandboxRunError, SandboxRunner

__all__ = [
    "BundledFunction",
    "CodeRunner",
    "FeedbackRecord",
    "Graph",
    "InProcessRunner",
    "Module",
    "Node",
    "Operator",
    "SandboxRunError",
    "SandboxRunner",
    "SandboxUnavailableError",
    "TraceError",
    "TraceExecutionError",
    "TraceObjective",
    "backward",
    "bundle",
    "current_graph",
    "graph",
    "node",
    "render_dot",
    "subgraph",
    "to_dot",
    "use_values",
]
