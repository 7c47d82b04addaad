"""Turn a feedback record into the sections of an optimizer prompt (plain data).

Templates in ``prompts/trace/`` turn this data into text; nothing here writes prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import prompts
from agent.trace._backward import FeedbackRecord
from agent.trace._graph import label_nodes
from agent.trace._node import Node
from agent.trace._values import show, type_name


@dataclass(frozen=True)
class ValueView:
    """One value as shown to the optimizer."""

    name: str
    type: str
    value: str
    description: str = ""


@dataclass(frozen=True)
class ConstraintView:
    name: str
    text: str


@dataclass(frozen=True)
class ProblemView:
    """The sections of one traced run, ready for ``prompts/trace/problem.txt``."""

    code: list[str] = field(default_factory=list)
    documentation: list[str] = field(default_factory=list)
    variables: list[ValueView] = field(default_factory=list)
    constraints: list[ConstraintView] = field(default_factory=list)
    inputs: list[ValueView] = field(default_factory=list)
    others: list[ValueView] = field(default_factory=list)
    outputs: list[ValueView] = field(default_factory=list)
    feedback: str = ""


def _type_of(item: Node) -> str:
    return item.param_type if item.trainable and item.param_type else type_name(item.value)


def problem_view(
    record: FeedbackRecord,
    names: Mapping[Node, str],
    *,
    max_value_chars: int = 400,
    max_code_chars: int = 4000,
) -> ProblemView:
    """The prompt sections for one feedback record.

    Args:
        record: the feedback and its subgraph.
        names: the optimizer's names for its parameters (they key the suggestions).
        max_value_chars: longest shown value; longer ones are cut with ``...``.
        max_code_chars: longest shown source of a code parameter.
    """
    labels = label_nodes(record.nodes, fixed={n: names[n] for n in record.nodes if n in names})
    view = ProblemView(feedback=record.feedback)
    documented: set[str] = set()
    for item in record.nodes:
        limit = max_code_chars if item.param_type == "code" else max_value_chars
        shown = ValueView(labels[item], _type_of(item), show(item.value, limit=limit))
        if item.operator is not None:
            args = ", ".join(f"{arg}={labels[p]}" for arg, p in item.inputs if arg != "__code")
            view.code.append(f"{labels[item]} = {item.operator.name}({args})")
            if item.operator.name not in documented:
                documented.add(item.operator.name)
                view.documentation.append(f"[{item.operator.name}] {item.operator.doc}".strip())
        if item.trainable:
            view.variables.append(ValueView(shown.name, shown.type, shown.value, item.description))
            if item.constraint:
                view.constraints.append(ConstraintView(labels[item], item.constraint))
        elif item is record.output:
            view.outputs.append(shown)
        elif item.kind == "input":
            view.inputs.append(shown)
        else:
            view.others.append(shown)
    return view


def variable_list(names: Mapping[Node, str], records: list[FeedbackRecord]) -> list[ValueView]:
    """The parameters that appear in ``records``, in first-appearance order."""
    out: list[ValueView] = []
    seen: set[Node] = set()
    for record in records:
        for param in record.parameters:
            if param in names and param not in seen:
                seen.add(param)
                out.append(ValueView(names[param], _type_of(param), ""))
    return out


def values_text(values: Mapping[str, Any], *, limit: int = 200) -> str:
    """``a=1.0, b=2`` for history lines."""
    return ", ".join(f"{name}={show(value, limit=limit)}" for name, value in values.items())


def render_problems(
    records: list[FeedbackRecord], names: Mapping[Node, str], *, max_value_chars: int
) -> list[str]:
    """Each feedback record as the ``#Code ... #Feedback`` section of the prompt."""
    return [
        prompts.render(
            "trace/problem",
            problem=problem_view(record, names, max_value_chars=max_value_chars),
        )
        for record in records
    ]
