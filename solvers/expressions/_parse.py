"""Parse expression strings through an AST whitelist; nothing is eval'd, exec'd or sympified."""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Literal

from solvers.errors import ExpressionError

MAX_LENGTH = 4000
MAX_DEPTH = 60
FUNCTIONS: tuple[str, ...] = ("exp", "log", "sqrt", "sin", "cos", "tan")
RESERVED: tuple[str, ...] = ("sum", "in", "for", "if", *FUNCTIONS)

Kind = Literal["expression", "constraint", "condition"]
Sense = Literal["<=", ">=", "=="]

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_SENSES: dict[type[ast.cmpop], Sense] = {ast.LtE: "<=", ast.GtE: ">=", ast.Eq: "=="}
_NAMED_NODES = {
    "Attribute": "attribute access ('.')",
    "Lambda": "lambda",
    "ListComp": "list comprehension",
    "SetComp": "set comprehension",
    "DictComp": "dict comprehension",
    "Dict": "dict literal",
    "Set": "set literal",
    "List": "list literal",
    "Starred": "'*' unpacking",
    "NamedExpr": "':=' assignment",
    "IfExp": "'a if c else b'",
    "JoinedStr": "f-string",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
    "Slice": "slice ':'",
}
_FOR_ALL_PART = re.compile(r"^\s*([A-Za-z]\w*)\s+in\s+([A-Za-z]\w*)\s*$")


@dataclass(frozen=True, slots=True)
class Comparison:
    """A parsed constraint: ``lhs sense rhs``."""

    lhs: ast.expr
    sense: Sense
    rhs: ast.expr


def _node_name(node: ast.AST) -> str:
    kind = type(node).__name__
    return _NAMED_NODES.get(kind, f"'{kind}' syntax")


def _check(node: ast.AST, *, condition: bool, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ExpressionError(f"constant {value!r} is not allowed (use numbers)")
        if isinstance(value, int) and value.bit_length() > 1000:
            raise ExpressionError("number too large")
        if isinstance(value, float) and not math.isfinite(value):
            raise ExpressionError("number too large")
        if isinstance(value, str) and len(value) > 100:
            raise ExpressionError("text constant too long (max 100 characters)")
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed: '{node.id}'")
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINOPS):
            raise ExpressionError(f"operator '{type(node.op).__name__}' is not allowed")
        _check(node.left, condition=condition, depth=deeper)
        _check(node.right, condition=condition, depth=deeper)
    elif isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            if not condition:
                raise ExpressionError("'not' is only allowed in conditions")
        elif not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError(f"operator '{type(node.op).__name__}' is not allowed")
        _check(node.operand, condition=condition, depth=deeper)
    elif isinstance(node, ast.BoolOp):
        if not condition:
            raise ExpressionError("'and'/'or' are only allowed in conditions")
        for operand in node.values:
            _check(operand, condition=condition, depth=deeper)
    elif isinstance(node, ast.Compare):
        if not condition:
            raise ExpressionError("a comparison is only allowed at the top of a constraint")
        for op in node.ops:
            if not isinstance(op, _COMPARE_OPS):
                raise ExpressionError(f"comparison '{type(op).__name__}' is not allowed")
        for operand in (node.left, *node.comparators):
            _check(operand, condition=condition, depth=deeper)
    elif isinstance(node, ast.Subscript):
        if not isinstance(node.value, ast.Name):
            raise ExpressionError("only names can be indexed, e.g. x[i,j]")
        _check(node.value, condition=condition, depth=deeper)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for part in parts:
            _check(part, condition=condition, depth=deeper)
    elif isinstance(node, ast.Call):
        _check_call(node, condition=condition, depth=deeper)
    elif isinstance(node, ast.GeneratorExp):
        raise ExpressionError("a generator is only allowed inside sum(...)")
    elif isinstance(node, ast.Tuple):
        raise ExpressionError("a tuple is only allowed as an index, e.g. x[i,j]")
    else:
        raise ExpressionError(f"{_node_name(node)} is not allowed")


def _check_call(node: ast.Call, *, condition: bool, depth: int) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError("only the functions sum, " + ", ".join(FUNCTIONS) + " can be called")
    name = node.func.id
    if name != "sum" and name not in FUNCTIONS:
        raise ExpressionError(f"unknown function '{name}' (allowed: sum, {', '.join(FUNCTIONS)})")
    if node.keywords or len(node.args) != 1:
        raise ExpressionError(f"{name}(...) takes exactly one argument")
    arg = node.args[0]
    if name != "sum":
        _check(arg, condition=condition, depth=depth)
        return
    if not isinstance(arg, ast.GeneratorExp):
        raise ExpressionError("sum needs a generator, e.g. sum(x[i] for i in I)")
    for gen in arg.generators:
        if gen.is_async:
            raise ExpressionError("async generators are not allowed")
        if not isinstance(gen.target, ast.Name) or not isinstance(gen.iter, ast.Name):
            raise ExpressionError("write generators as 'for i in SET' with a set name")
        _check(gen.target, condition=condition, depth=depth)
        _check(gen.iter, condition=condition, depth=depth)
        for cond in gen.ifs:
            _check(cond, condition=True, depth=depth)
    _check(arg.elt, condition=condition, depth=depth)


def _parse_tree(text: str) -> ast.expr:
    if not isinstance(text, str):
        raise ExpressionError(f"expected a string, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression too long ({len(text)} > {MAX_LENGTH} characters)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise ExpressionError(f"cannot parse: {type(exc).__name__}") from None
    return tree.body


def parse_expression(text: str) -> ast.expr:
    """Parse an objective-style expression (no comparison).

    Raises:
        ExpressionError: the text is not in the expression language.
    """
    body = _parse_tree(text)
    if isinstance(body, ast.Compare):
        raise ExpressionError("expected an expression without a comparison")
    _check(body, condition=False, depth=0)
    return body


def parse_condition(text: str) -> ast.expr:
    """Parse a row filter such as ``i != j and cap[i] > 0``.

    Raises:
        ExpressionError: the text is not a valid condition.
    """
    body = _parse_tree(text)
    _check(body, condition=True, depth=0)
    return body


def parse_constraint(text: str) -> Comparison:
    """Parse a constraint: exactly one of ``<=``, ``>=``, ``==`` between two expressions.

    Raises:
        ExpressionError: no comparison, a strict or chained comparison, or a bad side.
    """
    body = _parse_tree(text)
    if not isinstance(body, ast.Compare):
        raise ExpressionError("a constraint needs one comparison: <=, >= or ==")
    if len(body.ops) != 1:
        raise ExpressionError("write one comparison per constraint (split 'a <= x <= b' in two)")
    op = body.ops[0]
    if isinstance(op, ast.Lt | ast.Gt):
        symbol = "<" if isinstance(op, ast.Lt) else ">"
        raise ExpressionError(f"strict '{symbol}' is not supported; use '{symbol}='")
    sense = _SENSES.get(type(op))
    if sense is None:
        raise ExpressionError("a constraint needs one comparison: <=, >= or ==")
    _check(body.left, condition=False, depth=1)
    _check(body.comparators[0], condition=False, depth=1)
    return Comparison(body.left, sense, body.comparators[0])


def parse_for_all(text: str) -> list[tuple[str, str]]:
    """Parse ``"i in I, j in J"`` (a leading ``for`` is accepted) into (index, set) pairs.

    Raises:
        ExpressionError: a part is not of the form ``name in SET``.
    """
    cleaned = text.strip()
    if not cleaned:
        return []
    pairs: list[tuple[str, str]] = []
    for part in re.split(r",|\bfor\b", cleaned):
        if not part.strip():
            continue
        match = _FOR_ALL_PART.match(part)
        if match is None:
            raise ExpressionError(f"expected 'i in SET', got '{part.strip()}'")
        pairs.append((match.group(1), match.group(2)))
    names = [name for name, _ in pairs]
    for name in names:
        if names.count(name) > 1:
            raise ExpressionError(f"index '{name}' is used twice")
    return pairs
