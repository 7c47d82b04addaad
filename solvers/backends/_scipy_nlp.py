"""Continuous nonlinear models: scipy.optimize.minimize (SLSQP or trust-constr), multistart."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import sympy
from scipy import optimize

from solvers.backends._base import Solution, SolverBackend, SolveStatus
from solvers.errors import BackendError, UnsupportedProblemError
from solvers.expressions import ProblemClass
from solvers.formulation import Model

Method = Literal["SLSQP", "trust-constr"]
UNBOUNDED_BELOW = -1e9


def _start_box(lower: float | None, upper: float | None, width: float) -> tuple[float, float]:
    if lower is not None and upper is not None:
        return lower, upper
    if lower is not None:
        return lower, lower + width
    if upper is not None:
        return upper - width, upper
    return -width, width


class ScipyBackend(SolverBackend):
    """Local NLP solver with random restarts; reports the best feasible local optimum.

    Args:
        method: "SLSQP" (default) or "trust-constr".
        starts: number of starting points (the first is the box centre, the rest random).
        seed: seed of the random starts.
        tol: largest constraint violation accepted as feasible.
        box: width used to draw starts for variables without finite bounds.

    Raises:
        BackendError: an invalid option.
    """

    def __init__(
        self,
        *,
        method: Method = "SLSQP",
        starts: int = 8,
        seed: int = 0,
        tol: float = 1e-6,
        box: float = 10.0,
    ) -> None:
        if method not in ("SLSQP", "trust-constr"):
            raise BackendError(f"unknown method '{method}' (use 'SLSQP' or 'trust-constr')")
        if starts < 1:
            raise BackendError(f"starts must be >= 1, got {starts}")
        self.method: Method = method
        self.starts = starts
        self.seed = seed
        self.tol = tol
        self.box = box
        self.name = f"scipy-{method.lower()}"

    def supports(self, problem_class: ProblemClass) -> bool:
        return problem_class in (ProblemClass.LP, ProblemClass.NLP)

    def solve(self, model: Model, *, time_limit: float | None = None) -> Solution:
        if not self.supports(model.problem_class):
            raise UnsupportedProblemError(
                f"{self.name} solves continuous models only; this model is {model.problem_class}"
            )
        started = time.perf_counter()
        symbols = [v.symbol for v in model.variables]
        sign = 1.0 if model.sense == "minimize" else -1.0
        f, grad = _compile_scalar(sign * model.objective, symbols)
        bodies = [row.body for row in model.rows]
        g, jac = _compile_vector(bodies, symbols)
        senses = [row.sense for row in model.rows]
        bounds = [(v.lower, v.upper) for v in model.variables]

        def violation(x: np.ndarray) -> float:
            worst = 0.0
            if bodies:
                values = g(x)
                for value, sense in zip(values, senses, strict=True):
                    excess = {"<=": value, ">=": -value, "==": abs(value)}[sense]
                    worst = max(worst, float(excess))
            for xi, (lo, hi) in zip(x, bounds, strict=True):
                if lo is not None:
                    worst = max(worst, lo - xi)
                if hi is not None:
                    worst = max(worst, xi - hi)
            return worst

        rng = np.random.default_rng(self.seed)
        boxes = [_start_box(lo, hi, self.box) for lo, hi in bounds]
        best: tuple[float, np.ndarray] | None = None
        notes: list[str] = []
        tried = 0
        for k in range(self.starts):
            if time_limit is not None and time.perf_counter() - started > time_limit:
                break
            if k == 0:
                x0 = np.array([min(max(0.0, lo), hi) for lo, hi in boxes])
            else:
                x0 = np.array([rng.uniform(lo, hi) for lo, hi in boxes])
            tried += 1
            x = self._local(f, grad, g, jac, senses, bounds, x0, notes)
            if x is None or violation(x) > self.tol * 10:
                continue
            value = float(f(x))
            if not math.isfinite(value):
                continue
            if best is None or value < best[0]:
                best = (value, x)
        runtime = time.perf_counter() - started
        if best is None:
            status = SolveStatus.TIME_LIMIT if tried < self.starts else SolveStatus.ERROR
            return Solution(
                status=status,
                objective=None,
                values={},
                solver=self.name,
                problem_class=model.problem_class,
                message=f"no feasible point found from {tried} start(s); a local solver cannot "
                "prove infeasibility" + (f" ({notes[-1]})" if notes else ""),
                runtime_s=runtime,
            )
        value, x = best
        if value < UNBOUNDED_BELOW:
            return Solution(
                status=SolveStatus.UNBOUNDED,
                objective=None,
                values={},
                solver=self.name,
                problem_class=model.problem_class,
                message=f"objective improved past {abs(UNBOUNDED_BELOW):g}; likely unbounded",
                runtime_s=runtime,
            )
        values = {v.label: float(xi) for v, xi in zip(model.variables, x, strict=True)}
        return Solution(
            status=SolveStatus.OPTIMAL,
            objective=sign * value,
            values=values,
            solver=self.name,
            problem_class=model.problem_class,
            message=f"local optimum: best of {tried} start(s) with {self.method}",
            runtime_s=runtime,
        )

    def _local(
        self,
        f: Callable[[np.ndarray], float],
        grad: Callable[[np.ndarray], np.ndarray],
        g: Callable[[np.ndarray], np.ndarray],
        jac: Callable[[np.ndarray], np.ndarray],
        senses: Sequence[str],
        bounds: list[tuple[float | None, float | None]],
        x0: np.ndarray,
        notes: list[str],
    ) -> np.ndarray | None:
        sign = np.array([{"<=": -1.0, ">=": 1.0, "==": 1.0}[s] for s in senses])
        eq = np.array([s == "==" for s in senses], dtype=bool)
        constraints: Any
        if self.method == "SLSQP":
            constraints = []
            if (~eq).any():
                constraints.append(
                    {
                        "type": "ineq",
                        "fun": lambda x: (sign * g(x))[~eq],
                        "jac": lambda x: (sign[:, None] * jac(x))[~eq],
                    }
                )
            if eq.any():
                constraints.append(
                    {"type": "eq", "fun": lambda x: g(x)[eq], "jac": lambda x: jac(x)[eq]}
                )
            options = {"maxiter": 500, "ftol": 1e-10}
        else:
            constraints = []
            if senses:
                lower = np.where(np.array(senses) == "<=", -np.inf, 0.0)
                upper = np.where(np.array(senses) == ">=", np.inf, 0.0)
                constraints.append(optimize.NonlinearConstraint(g, lower, upper, jac=jac))
            options = {"maxiter": 2000}
        scipy_bounds = optimize.Bounds(
            [-np.inf if lo is None else lo for lo, _ in bounds],
            [np.inf if hi is None else hi for _, hi in bounds],
        )
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            try:
                result = optimize.minimize(
                    f,
                    x0,
                    jac=grad,
                    method=self.method,
                    bounds=scipy_bounds,
                    constraints=constraints,
                    options=options,
                )
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                notes.append(str(exc))
                return None
        if caught:
            notes.append(str(caught[-1].message))
        if not np.all(np.isfinite(result.x)):
            return None
        if not result.success:
            notes.append(str(result.message))
        return np.asarray(result.x, dtype=float)


def _compile_scalar(
    expr: Any, symbols: list[sympy.Symbol]
) -> tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]:
    """Numeric objective and gradient from a SymPy tree (lambdify prints the tree, not text)."""
    expr = sympy.Integer(0) if not isinstance(expr, sympy.Basic) else expr
    value = sympy.lambdify([symbols], expr, modules="numpy")
    gradient = sympy.lambdify([symbols], [sympy.diff(expr, s) for s in symbols], modules="numpy")
    return (
        lambda x: float(value(x)),
        lambda x: np.asarray(gradient(x), dtype=float).reshape(len(symbols)),
    )


def _compile_vector(
    exprs: list[Any], symbols: list[sympy.Symbol]
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """Numeric constraint bodies and their Jacobian."""
    if not exprs:
        return (lambda x: np.zeros(0)), (lambda x: np.zeros((0, len(symbols))))
    matrix = sympy.Matrix(exprs)
    value = sympy.lambdify([symbols], list(matrix), modules="numpy")
    jacobian = sympy.lambdify([symbols], matrix.jacobian(symbols).tolist(), modules="numpy")
    m, n = len(exprs), len(symbols)
    return (
        lambda x: np.asarray(value(x), dtype=float).reshape(m),
        lambda x: np.asarray(jacobian(x), dtype=float).reshape(m, n),
    )
