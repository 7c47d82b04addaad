"""Check a formulation's names, sets, tables and bounds, then unroll it into a `Model`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import sympy

from solvers.errors import ExpressionError, FormulationError, format_index
from solvers.expressions import (
    FUNCTIONS,
    Element,
    Evaluator,
    Key,
    ParameterTable,
    SymbolTable,
    as_number,
    classify,
    parse_condition,
    parse_constraint,
    parse_expression,
    parse_for_all,
)
from solvers.formulation._compiled import Model, Row, ScalarVariable, variable_label
from solvers.formulation._model import Formulation, ParameterDef, VariableDef
from solvers.formulation._report import check_report

_IDENTIFIER = re.compile(r"^[A-Za-z]\w*$")
_RESERVED = {"sum", "in", "for", "if", "and", "or", "not", *FUNCTIONS}
_TOLERANCE = 1e-9


def _check_name(name: str, element: str) -> None:
    if not _IDENTIFIER.match(name):
        raise FormulationError(
            "name must start with a letter and use only letters, digits and '_'",
            element=element,
            name=name,
            field="name",
        )
    if name in _RESERVED:
        raise FormulationError("name is reserved; rename it", element=element, name=name)


def _check_sets(formulation: Formulation) -> dict[str, tuple[Element, ...]]:
    sets: dict[str, tuple[Element, ...]] = {}
    for s in formulation.sets:
        if not s.elements:
            raise FormulationError("set is empty", element="set", name=s.name, field="elements")
        seen: set[str] = set()
        for element in s.elements:
            text = str(element)
            if isinstance(element, str) and not text:
                raise FormulationError(
                    "elements must be non-empty", element="set", name=s.name, field="elements"
                )
            if text in seen:
                raise FormulationError(
                    f"duplicate element {element!r}", element="set", name=s.name, field="elements"
                )
            seen.add(text)
        sets[s.name] = tuple(s.elements)
    return sets


def _undefined(index: Sequence[str], sets: dict[str, Any], element: str, name: str) -> None:
    for set_name in index:
        if set_name not in sets:
            raise FormulationError(
                f"undefined set '{set_name}'", element=element, name=name, field="index"
            )


def _table(param: ParameterDef, sets: dict[str, tuple[Element, ...]]) -> ParameterTable:
    _undefined(param.index, sets, "parameter", param.name)
    dims = [sets[s] for s in param.index]
    values: dict[Key, float] = {}

    def fail(message: str) -> FormulationError:
        return FormulationError(message, element="parameter", name=param.name, field="value")

    def walk(node: Any, depth: int, key: Key) -> None:
        if depth == len(dims):
            if isinstance(node, list):
                raise fail(f"expected a number at {list(key)}, got a list")
            number = as_number(node)
            if number is None:
                raise fail(f"expected a number at {list(key)}")
            values[key] = number
            return
        if not isinstance(node, list):
            where = f" at {list(key)}" if key else ""
            shape = "x".join(str(len(d)) for d in dims)
            raise fail(f"expected a list{where} (a {shape} table over {', '.join(param.index)})")
        elements = dims[depth]
        if len(node) != len(elements):
            where = f" at {list(key)}" if key else ""
            raise fail(
                f"expected {len(elements)} entries{where} (set '{param.index[depth]}'), "
                f"got {len(node)}"
            )
        for element, item in zip(elements, node, strict=True):
            walk(item, depth + 1, (*key, element))

    walk(param.value, 0, ())
    return ParameterTable(tuple(param.index), values)


def variable_bounds(var: VariableDef) -> tuple[float | None, float | None]:
    """A variable's effective bounds (binary ones are clipped to [0, 1]).

    Raises:
        FormulationError: lower above upper.
    """
    lower, upper = var.lower, var.upper
    if var.type == "binary":
        lower = 0.0 if lower is None else max(0.0, lower)
        upper = 1.0 if upper is None else min(1.0, upper)
    if lower is not None and upper is not None and lower > upper:
        raise FormulationError(
            f"lower bound {lower:g} > upper bound {upper:g}",
            element="variable",
            name=var.name,
            field="lower",
        )
    return lower, upper


def index_keys(index: Sequence[str], sets: dict[str, tuple[Element, ...]]) -> Iterator[Key]:
    """Every element tuple of the product of the named sets, in order."""
    if not index:
        yield ()
        return
    head, rest = sets[index[0]], index[1:]
    for element in head:
        for tail in index_keys(rest, sets):
            yield (element, *tail)


def build_table(formulation: Formulation) -> SymbolTable:
    """Validate names, sets, parameter tables and variable index sets.

    Raises:
        FormulationError: naming the element and field at fault.
    """
    owners: dict[str, str] = {}
    groups: list[tuple[str, Sequence[Any]]] = [
        ("set", formulation.sets),
        ("parameter", formulation.parameters),
        ("variable", formulation.variables),
    ]
    for element, items in groups:
        for item in items:
            _check_name(item.name, element)
            if item.name in owners:
                raise FormulationError(
                    f"name already used by a {owners[item.name]}", element=element, name=item.name
                )
            owners[item.name] = element
    constraint_names: set[str] = set()
    for constraint in formulation.constraints:
        if not constraint.name.strip():
            raise FormulationError("name is empty", element="constraint", field="name")
        if constraint.name in constraint_names:
            raise FormulationError(
                "duplicate constraint name", element="constraint", name=constraint.name
            )
        constraint_names.add(constraint.name)
    sets = _check_sets(formulation)
    parameters = {p.name: _table(p, sets) for p in formulation.parameters}
    variables: dict[str, tuple[str, ...]] = {}
    for var in formulation.variables:
        _undefined(var.index, sets, "variable", var.name)
        variable_bounds(var)
        variables[var.name] = tuple(var.index)
    return SymbolTable(sets=sets, parameters=parameters, variables=variables)


def _scalar_variables(formulation: Formulation, table: SymbolTable) -> list[ScalarVariable]:
    out: list[ScalarVariable] = []
    for var in formulation.variables:
        lower, upper = variable_bounds(var)
        for key in index_keys(var.index, table.sets):
            label = variable_label(var.name, key)
            out.append(
                ScalarVariable(
                    name=var.name,
                    key=key,
                    label=label,
                    symbol=sympy.Symbol(label, real=True),
                    type=var.type,
                    lower=lower,
                    upper=upper,
                )
            )
    return out


def compile_formulation(formulation: Formulation) -> Model:
    """Compile a formulation into SymPy rows and classify it.

    Raises:
        FormulationError: a malformed element; the text names element, field and index, e.g.
            ``constraint 'capacity'[i=3]: unknown symbol 'y'``.
    """
    table = build_table(formulation)
    variables = _scalar_variables(formulation, table)
    symbols = {(v.name, v.key): v.symbol for v in variables}
    evaluator = Evaluator(table, lambda name, key: symbols[(name, key)], symbolic=True)

    try:
        objective = evaluator.value(parse_expression(formulation.objective.expression), {})
    except ExpressionError as exc:
        raise exc.located(element="objective", field="expression") from None

    rows: list[Row] = []
    for constraint in formulation.constraints:
        rows.extend(_unroll(constraint.name, constraint, evaluator))
    check_report(formulation, evaluator)
    has_integers = any(v.is_integer for v in variables)
    problem_class = classify([objective, *(r.body for r in rows)], has_integers=has_integers)
    return Model(
        formulation=formulation,
        table=table,
        variables=variables,
        objective=objective,
        sense=formulation.objective.sense,
        rows=rows,
        problem_class=problem_class,
    )


def constraint_bindings(
    constraint: Any, evaluator: Evaluator
) -> Iterator[tuple[dict[str, Element], Any]]:
    """Yield ``(binding, parsed comparison)`` for each row a constraint expands to.

    Raises:
        FormulationError: located at the constraint (and the row's index where known).
    """
    name = constraint.name
    try:
        pairs = parse_for_all(constraint.for_all)
        gen = evaluator.bindings(pairs, {})
    except ExpressionError as exc:
        raise exc.located(element="constraint", name=name, field="for_all") from None
    try:
        where = parse_condition(constraint.where) if constraint.where.strip() else None
    except ExpressionError as exc:
        raise exc.located(element="constraint", name=name, field="where") from None
    try:
        parsed = parse_constraint(constraint.expression)
    except ExpressionError as exc:
        raise exc.located(element="constraint", name=name, field="expression") from None
    for env in gen:
        if where is not None:
            try:
                keep = evaluator.condition(where, env)
            except ExpressionError as exc:
                raise exc.located(
                    element="constraint", name=name, field="where", index=env
                ) from None
            if not keep:
                continue
        yield env, parsed


def _unroll(name: str, constraint: Any, evaluator: Evaluator) -> Iterator[Row]:
    for env, parsed in constraint_bindings(constraint, evaluator):
        try:
            lhs, sense, rhs = evaluator.comparison(parsed, env)
            body = lhs - rhs
            constant = as_number(body)
        except ExpressionError as exc:
            raise exc.located(
                element="constraint", name=name, field="expression", index=env
            ) from None
        except (TypeError, ArithmeticError) as exc:
            raise FormulationError(
                f"cannot evaluate: {exc}",
                element="constraint",
                name=name,
                field="expression",
                index=env,
            ) from None
        if constant is not None:
            holds = {
                "<=": constant <= _TOLERANCE,
                ">=": constant >= -_TOLERANCE,
                "==": abs(constant) <= _TOLERANCE,
            }[sense]
            if not holds:
                raise FormulationError(
                    f"has no variables and is always false ({lhs} {sense} {rhs})",
                    element="constraint",
                    name=name,
                    index=env,
                )
            continue
        yield Row(
            constraint=name,
            index=dict(env),
            label=name + format_index(env),
            body=body,
            sense=sense,
        )
