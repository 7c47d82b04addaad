"""Parse the compact formulation language into linear rows and the typed formulation.

The language, one statement a line (see docs/formulate.md)::

    int chairs tables                 declarations: var (continuous), int, bin
    max 30 chairs + 50 tables         the objective: max or min, a linear expression
    2 chairs + 5 tables <= 100        constraints: EXPR (<= | >= | =) EXPR
    chairs >= 0.3 (chairs + tables)   a number may scale a parenthesised expression
    report 1 = chairs                 requested quantity 1 is this expression (or `objective`)
    > Each chair needs 2 hours.       a quoted sentence of the problem (ignored when parsing)

A text that is no optimization problem is the single line ``none``; a problem outside linear
models is ``nonlinear``. The parser is lenient about spaces and ``*``; the grammar the model
decodes under is strict, so a model's output always has the canonical spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from solvers.compact._vocabulary import KEYWORDS, canonical
from solvers.errors import FormulationError
from solvers.expressions._parse import RESERVED

VarType = Literal["continuous", "integer", "binary"]
Op = Literal["<=", ">=", "="]

_DECLARATIONS: dict[str, VarType] = {"var": "continuous", "int": "integer", "bin": "binary"}
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|=)"
    r"|(?P<sym>[-+*()]))"
)
_REPORT = re.compile(r"report\s+(\d+)\s*=\s*(.+)")


class CompactSyntaxError(FormulationError):
    """A compact formulation that does not parse; the message names the line."""


@dataclass(frozen=True)
class Linear:
    """A linear expression: coefficients by variable name, plus a constant."""

    terms: dict[str, float] = field(default_factory=dict)
    constant: float = 0.0

    def scaled(self, factor: float) -> Linear:
        return Linear({n: c * factor for n, c in self.terms.items()}, self.constant * factor)

    def plus(self, other: Linear) -> Linear:
        terms = dict(self.terms)
        for name, coefficient in other.terms.items():
            terms[name] = terms.get(name, 0.0) + coefficient
        return Linear(terms, self.constant + other.constant)

    def evaluate(self, values: dict[str, float]) -> float:
        """The expression's value at ``values`` (variable name -> value)."""
        return self.constant + sum(c * values[n] for n, c in self.terms.items())

    def render(self) -> str:
        """The expression in the solvers' expression language (``2*x - 3*y + 4``)."""
        pieces = [(c < 0, _term(abs(c), n)) for n, c in self.terms.items() if c != 0]
        if self.constant or not pieces:
            pieces.append((self.constant < 0, canonical(abs(self.constant))))
        negative, first = pieces[0]
        text = f"-{first}" if negative else first
        for negative, piece in pieces[1:]:
            text += f" - {piece}" if negative else f" + {piece}"
        return text


def _term(coefficient: float, name: str) -> str:
    return name if coefficient == 1 else f"{canonical(coefficient)}*{name}"


@dataclass(frozen=True)
class Row:
    """One constraint: ``lhs op rhs`` as written (both sides linear)."""

    lhs: Linear
    op: Op
    rhs: Linear
    line: int


@dataclass(frozen=True)
class CompactModel:
    """A parsed compact formulation.

    Attributes:
        variables: name -> type, in declaration order.
        sense: ``maximize`` or ``minimize``.
        objective: the objective expression.
        rows: the constraints in order.
        report: requested-quantity number (1-based) -> expression, or the word ``objective``.
    """

    variables: dict[str, VarType]
    sense: Literal["maximize", "minimize"]
    objective: Linear
    rows: tuple[Row, ...]
    report: dict[int, Linear | Literal["objective"]]


@dataclass(frozen=True)
class Refusal:
    """The model's word that the text is no (linear) optimization problem."""

    kind: Literal["none", "nonlinear"]


def parse_compact(text: str) -> CompactModel | Refusal:
    """Parse a compact formulation (or a ``none`` / ``nonlinear`` refusal).

    Raises:
        CompactSyntaxError: the message names the line and what is wrong with it.
    """
    lines = [(i + 1, line.strip()) for i, line in enumerate(text.strip().splitlines())]
    lines = [(n, line) for n, line in lines if line and not line.startswith(">")]
    if len(lines) == 1 and lines[0][1] in ("none", "nonlinear"):
        return Refusal(lines[0][1])  # type: ignore[arg-type]  # the line is 'none' or 'nonlinear' (checked on this line's if)
    variables: dict[str, VarType] = {}
    sense: Literal["maximize", "minimize"] | None = None
    objective = Linear()
    rows: list[Row] = []
    report: dict[int, Linear | Literal["objective"]] = {}
    for number, line in lines:
        head, _, rest = line.partition(" ")
        if head in _DECLARATIONS:
            _declare(variables, rest.split(), _DECLARATIONS[head], number)
        elif head in ("max", "min"):
            if sense is not None:
                raise CompactSyntaxError(f"line {number}: a second objective ({line!r})")
            sense = "maximize" if head == "max" else "minimize"
            objective = _Expression(rest, variables, number).parse_all()
        elif head == "report":
            key, value = _report(line, variables, number)
            report[key] = value
        else:
            rows.append(_row(line, variables, number))
    if not variables:
        raise CompactSyntaxError("no variables declared: start with a line 'var x y' or 'int x'")
    if sense is None:
        raise CompactSyntaxError("no objective: add a line 'max EXPR' or 'min EXPR'")
    return CompactModel(variables, sense, objective, tuple(rows), report)


def _declare(variables: dict[str, VarType], names: list[str], kind: VarType, line: int) -> None:
    if not names:
        raise CompactSyntaxError(f"line {line}: a declaration names no variable")
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise CompactSyntaxError(f"line {line}: {name!r} is not a variable name")
        if name in KEYWORDS or name in RESERVED:
            raise CompactSyntaxError(f"line {line}: {name!r} is a reserved word")
        if name in variables:
            raise CompactSyntaxError(f"line {line}: variable {name!r} is declared twice")
        variables[name] = kind


def _row(line: str, variables: dict[str, VarType], number: int) -> Row:
    match = re.search(r"<=|>=|=", line)
    if match is None:
        raise CompactSyntaxError(f"line {number}: expected a constraint with <=, >= or =: {line!r}")
    lhs = _Expression(line[: match.start()], variables, number).parse_all()
    rhs = _Expression(line[match.end() :], variables, number).parse_all()
    op: Op = match.group()  # type: ignore[assignment]  # the regex matches only the Op operators
    return Row(lhs, op, rhs, number)


def _report(
    line: str, variables: dict[str, VarType], number: int
) -> tuple[int, Linear | Literal["objective"]]:
    match = _REPORT.fullmatch(line)
    if match is None:
        raise CompactSyntaxError(f"line {number}: expected 'report K = EXPR': {line!r}")
    key, body = int(match.group(1)), match.group(2).strip()
    if body == "objective":
        return key, "objective"
    return key, _Expression(body, variables, number).parse_all()


class _Expression:
    """Recursive descent over ``[-] term ((+|-) term)*``; term: NUMBER [*] (NAME | (expr))."""

    def __init__(self, text: str, variables: dict[str, VarType], line: int) -> None:
        self.text, self.variables, self.line = text, variables, line
        self.tokens = self._tokenize(text)
        self.at = 0

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(text.rstrip()):
            match = _TOKEN.match(text, position)
            if match is None:
                raise self._error(f"unexpected {text[position:].strip()[:12]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def _error(self, message: str) -> CompactSyntaxError:
        return CompactSyntaxError(f"line {self.line}: {message} in {self.text.strip()!r}")

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        self.at += 1
        return token

    def parse_all(self) -> Linear:
        if not self.tokens:
            raise self._error("empty expression")
        result = self._sum()
        if self._peek()[0] != "end":
            raise self._error(f"unexpected {self._peek()[1]!r}")
        return result

    def _sum(self) -> Linear:
        sign = 1.0
        if self._peek() == ("sym", "-"):
            self._take()
            sign = -1.0
        total = self._term().scaled(sign)
        while self._peek() in (("sym", "+"), ("sym", "-")):
            sign = 1.0 if self._take()[1] == "+" else -1.0
            total = total.plus(self._term().scaled(sign))
        return total

    def _term(self) -> Linear:
        kind, value = self._peek()
        if kind == "number":
            self._take()
            factor = float(value)
            if self._peek() == ("sym", "*"):
                self._take()
            kind, _ = self._peek()
            if kind == "name" or self._peek() == ("sym", "("):
                return self._factor().scaled(factor)
            return Linear(constant=factor)
        return self._factor()

    def _factor(self) -> Linear:
        kind, value = self._take()
        if kind == "name":
            if value not in self.variables:
                raise self._error(f"undeclared variable {value!r} (declare it with var/int/bin)")
            return Linear({value: 1.0})
        if (kind, value) == ("sym", "("):
            inner = self._sum()
            if self._take() != ("sym", ")"):
                raise self._error("missing ')'")
            return inner
        raise self._error(f"expected a number, a variable or '(' but found {value or 'the end'!r}")
