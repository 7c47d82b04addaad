"""Mixed-integer nonlinear models through SCIP (pyscipopt, whose wheels ship the solver).

SCIP solves MINLP to global optimality for the operators it supports (+, -, *, /, powers,
exp, log, sqrt, sin, cos); the expressions are translated from the compiled SymPy model, and
a nonlinear objective becomes an epigraph variable (SCIP takes linear objectives only).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import sympy

from solvers.backends._base import Solution, SolverBackend, SolveStatus
from solvers.errors import BackendError, UnsupportedProblemError
from solvers.expressions import ProblemClass
from solvers.formulation import Model

_FUNCTIONS: dict[Any, str] = {
    sympy.exp: "exp",
    sympy.log: "log",
    sympy.sin: "sin",
    sympy.cos: "cos",
}


def scip_available() -> bool:
    """Whether pyscipopt can be imported here."""
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        return False
    return True


class ScipBackend(SolverBackend):
    """SCIP for every class, chosen by default for MINLP.

    Args:
        gap: relative optimality gap at which SCIP stops (0: prove optimality).
    """

    name = "scip"

    def __init__(self, *, gap: float = 0.0) -> None:
        if gap < 0:
            raise BackendError(f"gap must be >= 0, got {gap}")
        self.gap = gap

    def supports(self, problem_class: ProblemClass) -> bool:
        return scip_available()

    def solve(self, model: Model, *, time_limit: float | None = None) -> Solution:
        if not scip_available():
            raise UnsupportedProblemError(
                "SCIP is not installed: pip install pyscipopt (its wheels ship the solver)"
            )
        started = time.perf_counter()
        scip, columns = self._build(model, time_limit=time_limit, objective=True)
        scip.optimize()
        status_text = scip.getStatus()
        status = {
            "optimal": SolveStatus.OPTIMAL,
            "gaplimit": SolveStatus.OPTIMAL,
            "infeasible": SolveStatus.INFEASIBLE,
            "unbounded": SolveStatus.UNBOUNDED,
            "timelimit": SolveStatus.TIME_LIMIT,
        }.get(status_text, SolveStatus.ERROR)
        message = f"SCIP status {status_text}"
        if status_text == "inforunbd":  # settle it: is there any feasible point at all?
            check, _ = self._build(model, time_limit=time_limit, objective=False)
            check.optimize()
            feasible = check.getStatus() == "optimal"
            status = SolveStatus.UNBOUNDED if feasible else SolveStatus.INFEASIBLE
            message += f" (infeasible or unbounded; a feasibility solve says {status.value})"
        runtime = time.perf_counter() - started
        values: dict[str, float] = {}
        value: float | None = None
        if status in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT) and scip.getNSols() > 0:
            best = scip.getBestSol()
            for v in model.variables:
                x = float(scip.getSolVal(best, columns[v.symbol]))
                values[v.label] = float(round(x)) if v.is_integer else x
            value = _objective_value(model, values)
        return Solution(
            status=status if values or status is not SolveStatus.OPTIMAL else SolveStatus.ERROR,
            objective=value,
            values=values,
            solver=self.name,
            problem_class=model.problem_class,
            message=message,
            runtime_s=runtime,
        )

    def _build(
        self, model: Model, *, time_limit: float | None, objective: bool
    ) -> tuple[Any, dict[sympy.Symbol, Any]]:
        """A SCIP model of ``model`` (without its objective for a feasibility solve).

        Raises:
            BackendError: an expression SCIP cannot take (the text names it).
        """
        import pyscipopt

        scip = pyscipopt.Model("optagent")
        scip.hideOutput()
        if time_limit is not None:
            scip.setParam("limits/time", float(time_limit))
        scip.setParam("limits/gap", self.gap)
        columns: dict[sympy.Symbol, Any] = {}
        for j, v in enumerate(model.variables):
            vtype = "B" if v.type == "binary" else "I" if v.type == "integer" else "C"
            columns[v.symbol] = scip.addVar(f"v{j}", vtype=vtype, lb=v.lower, ub=v.upper)
        convert = _converter(columns, pyscipopt)
        try:
            for k, row in enumerate(model.rows):
                body = convert(row.body)
                if row.sense == "<=":
                    scip.addCons(body <= 0, name=f"r{k}")
                elif row.sense == ">=":
                    scip.addCons(body >= 0, name=f"r{k}")
                else:
                    scip.addCons(body == 0, name=f"r{k}")
            target = model.objective
            constant = not isinstance(target, sympy.Basic) or bool(target.is_number)
            if objective and not constant:
                expr = convert(target)
                if _is_linear(target, list(columns)):
                    scip.setObjective(expr, sense=model.sense)
                else:  # SCIP takes linear objectives: optimise an epigraph variable instead
                    epigraph = scip.addVar("objective", vtype="C", lb=None, ub=None)
                    if model.sense == "minimize":
                        scip.addCons(expr - epigraph <= 0, name="epigraph")
                    else:
                        scip.addCons(expr - epigraph >= 0, name="epigraph")
                    scip.setObjective(epigraph, sense=model.sense)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise BackendError(f"SCIP could not take the model: {exc}") from exc
        return scip, columns


def _is_linear(expr: Any, symbols: list[sympy.Symbol]) -> bool:
    try:
        return bool(sympy.Poly(expr, *symbols).total_degree() <= 1)
    except sympy.PolynomialError:
        return False


def _objective_value(model: Model, values: dict[str, float]) -> float:
    """The objective recomputed at the (integer-rounded) values, as the verifier will."""
    subs = {v.symbol: values[v.label] for v in model.variables}
    objective = model.objective
    if not isinstance(objective, sympy.Basic):
        return float(objective)
    return float(objective.xreplace(subs))


def _converter(columns: dict[sympy.Symbol, Any], pyscipopt: Any) -> Callable[[Any], Any]:
    """A function translating a SymPy expression into a pyscipopt expression."""

    def convert(expr: Any) -> Any:
        if isinstance(expr, int | float):
            return float(expr)
        if expr.is_Number:
            number = float(expr)
            if not math.isfinite(number):
                raise ValueError(f"the number {expr} is not finite")
            return number
        if expr.is_Symbol:
            return columns[expr]
        if expr.is_Add:
            total: Any = 0.0
            for arg in expr.args:
                total = total + convert(arg)
            return total
        if expr.is_Mul:
            product: Any = 1.0
            for arg in expr.args:
                product = product * convert(arg)
            return product
        if expr.is_Pow:
            base, exponent = expr.args
            if exponent.is_Number:
                e = float(exponent)
                if e == 0.5:
                    return pyscipopt.sqrt(convert(base))
                if e.is_integer() and e < 0:
                    return 1.0 / (convert(base) ** int(-e))
                return convert(base) ** (int(e) if e.is_integer() else e)
            if base.is_Number:  # c ** f(x) = exp(f(x) * log(c))
                return pyscipopt.exp(convert(exponent) * math.log(float(base)))
            raise ValueError(f"a variable exponent is not supported: {expr}")
        for function, name in _FUNCTIONS.items():
            if isinstance(expr, function):
                return getattr(pyscipopt, name)(convert(expr.args[0]))
        raise ValueError(f"SCIP does not support {type(expr).__name__} in {expr}")

    return convert
