"""``backward``: attach feedback on an output to the parameters that produced it.

Unlike gradients, textual feedback is not split per parameter: each reached parameter keeps
a ``FeedbackRecord`` holding the feedback and the subgraph from the parameters to the output,
which an optimizer renders for the LLM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.trace._node import Node


@dataclass(frozen=True, eq=False)
class FeedbackRecord:
    """Feedback on one output and the subgraph that explains it.

    Attributes:
        output: the node the feedback is about.
        feedback: the feedback text (an error message, test output, a remark, a score).
        nodes: the subgraph in creation order: nodes on a path from a parameter to the
            output, plus the direct inputs of its operators.
        parameters: the trainable nodes in the subgraph, in creation order.
    """

    output: Node
    feedback: str
    nodes: tuple[Node, ...]

    @property
    def parameters(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.trainable)

    def to_dot(self, *, max_value_chars: int = 40) -> str:
        """Graphviz DOT text of the subgraph."""
        from agent.trace._dot import to_dot

        return to_dot(list(self.nodes), name="feedback", max_value_chars=max_value_chars)


def ancestors(output: Node) -> list[Node]:
    """``output`` and every node it was computed from, in creation order."""
    seen: set[Node] = set()
    stack = [output]
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        stack.extend(item.parents)
    return sorted(seen, key=lambda n: n.seq)


def subgraph(output: Node) -> tuple[Node, ...]:
    """The part of ``output``'s history that leads to trainable parameters.

    Keeps nodes that are parameters or depend on one, the output itself, and the direct
    inputs of kept operators (so each operator call is shown whole).
    """
    history = ancestors(output)
    reaches: dict[Node, bool] = {}
    for item in history:
        reaches[item] = item.trainable or any(reaches[p] for p in item.parents)
    kept: set[Node] = {n for n in history if reaches[n]}
    kept.add(output)
    for item in list(kept):
        kept.update(item.parents)
    return tuple(sorted(kept, key=lambda n: n.seq))


def backward(output: Node | Any, feedback: str) -> FeedbackRecord:
    """Send ``feedback`` about ``output`` to every parameter it depends on.

    Args:
        output: the node the feedback is about (for an error, ``TraceExecutionError.node``).
        feedback: text for the optimizer; a score alone is a weak signal, say what is wrong.

    Returns:
        the record attached to each reached parameter (also when none was reached).

    Raises:
        TypeError: ``output`` is not a node.

    Example:
        >>> from agent.trace import backward, graph, node
        >>> a = node(2.0, trainable=True, name="a")
        >>> with graph():
        ...     y = a * 3
        >>> record = backward(y, "y should be 9")
        >>> record.feedback, [p.name for p in record.parameters]
        ('y should be 9', ['a'])
    """
    if not isinstance(output, Node):
        raise TypeError(
            f"backward needs the node the feedback is about, got {type(output).__name__}; "
            "compute the output from nodes (node(...), bundle) inside the traced workflow"
        )
    record = FeedbackRecord(output=output, feedback=str(feedback), nodes=subgraph(output))
    for param in record.parameters:
        param.add_feedback(record)
    return record
