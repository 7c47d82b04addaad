"""Named results: check a formulation's ``report`` entries and evaluate them at a solution."""

from __future__ import annotations

import math
from collections.abc import Mapping

from solvers.errors import ExpressionError, FormulationError
from solvers.expressions import Evaluator, Key, SymbolTable, parse_expression
from solvers.formulation._compiled import variable_label
from solvers.formulation._model import OBJECTIVE_REPORT, Formulation


def check_report(formulation: Formulation, evaluator: Evaluator) -> None:
    """Check every report entry: a non-empty unique name and an expression that evaluates
    (symbolically) over the model's names.

    Raises:
        FormulationError: naming the report entry and the field at fault.
    """
    seen: set[str] = set()
    for entry in formulation.report:
        name = entry.name.strip()
        if not name:
            raise FormulationError("name is empty", element="report", field="name")
        if name in seen:
            raise FormulationError("duplicate report name", element="report", name=name)
        seen.add(name)
        if entry.expression.strip() == OBJECTIVE_REPORT:
            continue
        try:
            evaluator.value(parse_expression(entry.expression), {})
        except ExpressionError as exc:
            raise exc.located(element="report", name=name, field="expression") from None


def report_values(
    formulation: Formulation,
    table: SymbolTable,
    values: Mapping[str, float],
    objective: float | None,
) -> dict[str, float]:
    """Each report entry's value at a solution (name -> value), evaluated with floats.

    An entry that cannot be evaluated (a missing value, a math domain error) is left out,
    so a caller sees it as missing rather than as a wrong number.
    """

    def lookup(name: str, key: Key) -> float:
        label = variable_label(name, key)
        if label not in values:
            raise KeyError(label)
        return float(values[label])

    evaluator = Evaluator(table, lookup, symbolic=False)
    out: dict[str, float] = {}
    for entry in formulation.report:
        if entry.expression.strip() == OBJECTIVE_REPORT:
            value = objective
        else:
            try:
                value = float(evaluator.value(parse_expression(entry.expression), {}))
            except (KeyError, ExpressionError, ArithmeticError, ValueError, TypeError):
                continue
        if value is not None and math.isfinite(value):
            out[entry.name.strip()] = value
    return out
