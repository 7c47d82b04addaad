"""Turn a parsed compact formulation into the typed five-element formulation the solvers take."""

from __future__ import annotations

from collections.abc import Sequence

from solvers.compact._parse import CompactModel, CompactSyntaxError, Linear, Refusal, parse_compact
from solvers.compact._vocabulary import canonical
from solvers.formulation import (
    ConstraintDef,
    Formulation,
    ObjectiveDef,
    ReportDef,
    VariableDef,
)

_SENSES = {"<=": "<=", ">=": ">=", "=": "=="}


def compact_to_formulation(
    source: str | CompactModel,
    *,
    quantities: Sequence[str] = (),
    name: str = "compact",
    description: str = "",
) -> Formulation:
    """The typed formulation of a compact text (or an already parsed one).

    Every constraint becomes ``terms op constant`` with the variables moved left, named
    ``c1, c2, ...`` in order. Variables are non-negative (binary: 0/1). ``report K`` lines
    become the formulation's named results for ``quantities[K - 1]``.

    Raises:
        CompactSyntaxError: the text does not parse, it is a ``none``/``nonlinear`` refusal,
            or a report line numbers a quantity that was not requested.
    """
    model = parse_compact(source) if isinstance(source, str) else source
    if isinstance(model, Refusal):
        raise CompactSyntaxError(f"the reply is a refusal ({model.kind!r}), not a formulation")
    variables = [VariableDef(name=n, type=kind) for n, kind in model.variables.items()]
    constraints = []
    for position, row in enumerate(model.rows, start=1):
        moved = row.lhs.plus(row.rhs.scaled(-1.0))
        terms = Linear(moved.terms)
        if not any(moved.terms.values()):
            raise CompactSyntaxError(f"line {row.line}: the constraint has no variable left")
        constraints.append(
            ConstraintDef(
                name=f"c{position}",
                expression=f"{terms.render()} {_SENSES[row.op]} {canonical(-moved.constant)}",
            )
        )
    report = [
        ReportDef(name=quantity, expression=expression)
        for quantity, expression in report_expressions(model, quantities).items()
    ]
    return Formulation(
        name=name,
        description=description,
        variables=variables,
        objective=ObjectiveDef(sense=model.sense, expression=model.objective.render()),
        constraints=constraints,
        report=report,
    )


def report_expressions(model: CompactModel, quantities: Sequence[str]) -> dict[str, str]:
    """Requested quantity name -> expression (or ``objective``), from the ``report`` lines.

    Raises:
        CompactSyntaxError: a report line numbers a quantity that was not requested.
    """
    out: dict[str, str] = {}
    for key, value in sorted(model.report.items()):
        if not 1 <= key <= len(quantities):
            raise CompactSyntaxError(
                f"'report {key}' names no requested quantity (there are {len(quantities)})"
            )
        out[quantities[key - 1]] = value if isinstance(value, str) else value.render()
    return out
