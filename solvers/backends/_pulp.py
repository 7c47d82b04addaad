"""LP/MILP through PuLP: HiGHS (highspy) by default, CBC as the fallback; duals for LPs."""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Literal

import pulp

from solvers.backends._base import Solution, SolverBackend, SolveStatus
from solvers.backends._linear import LinearForm, LinearRow, linear_form
from solvers.errors import BackendError, UnsupportedProblemError
from solvers.expressions import ProblemClass
from solvers.formulation import Model, ScalarVariable
from solvers.sensitivity import lp_sensitivity

PulpSolverName = Literal["highs", "cbc"]


_banner_lock = threading.Lock()
_banner_done = False


def silence_highs_banner() -> None:
    """Let HiGHS print its once-per-process banner into /dev/null, before any solve.

    highspy 1.16 and later print a copyright banner from C++ straight to file descriptor 1 in
    the first ``Highs()`` a process builds, before any option (``output_flag``,
    ``log_to_console``) can be set on it, so ``optagent solve --json`` stopped being JSON and
    the banner showed in chat. Every later ``Highs()`` of the process is silent, and PuLP turns
    the solver's log off (``msg=False`` sets ``output_flag``). So the first instance is built
    here, once per process under a lock, with descriptor 1 pointed at /dev/null for the
    constructor alone. Unlike ``contextlib.redirect_stdout`` this swaps no Python object that
    parallel threads could restore wrongly. Older highspy prints nothing here.
    """
    global _banner_done
    with _banner_lock:
        if _banner_done:
            return
        _banner_done = True
        try:
            import highspy
        except ImportError:
            return  # no HiGHS: CBC only, which PuLP runs with msg=False
        with contextlib.suppress(ValueError, OSError):
            sys.stdout.flush()  # what Python already wrote goes out before the swap
        try:
            saved = os.dup(1)
        except OSError:  # no descriptor 1: nothing can reach a terminal
            highspy.Highs().setOptionValue("output_flag", False)
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            highspy.Highs().setOptionValue("output_flag", False)
            with contextlib.suppress(OSError, AttributeError):
                ctypes.CDLL(None).fflush(None)  # C stdio buffers the banner when not a tty
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)


def pulp_solver_available(name: PulpSolverName) -> bool:
    """Whether PuLP can run this solver here."""
    if name == "highs":
        silence_highs_banner()
    solver = pulp.HiGHS(msg=False) if name == "highs" else pulp.PULP_CBC_CMD(msg=False)
    return bool(solver.available())


def make_pulp_solver(
    name: PulpSolverName, *, time_limit: float | None = None, gap_rel: float | None = None
) -> pulp.LpSolver:
    """A quiet PuLP solver object with an optional time limit (seconds) and MIP gap.

    The solvers' own logging is configured off: HiGHS with ``output_flag`` and
    ``log_to_console`` false (and its banner spent, see `silence_highs_banner`), CBC with
    ``msg=False``, so no solver output reaches stdout or the terminal.
    """
    if name == "highs":
        silence_highs_banner()
        return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap_rel, log_to_console=False)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap_rel)


def pulp_variables(model: Model, *, relax: bool = False) -> list[pulp.LpVariable]:
    """One PuLP column per scalar variable, named ``v0, v1, ...`` (labels may hold any text)."""
    out = []
    for j, v in enumerate(model.variables):
        category = pulp.LpInteger if v.is_integer and not relax else pulp.LpContinuous
        out.append(pulp.LpVariable(f"v{j}", lowBound=v.lower, upBound=v.upper, cat=category))
    return out


def affine(coefs: dict[int, float], columns: Sequence[pulp.LpVariable]) -> pulp.LpAffineExpression:
    """``sum(coef * column)`` as a PuLP expression."""
    return pulp.LpAffineExpression([(columns[j], c) for j, c in coefs.items()])


def add_row(
    prob: pulp.LpProblem, row: LinearRow, expr: pulp.LpAffineExpression, name: str
) -> pulp.LpConstraint:
    """Add ``expr sense rhs`` to `prob` under `name` and return the constraint."""
    if row.sense == "<=":
        constraint = expr <= row.rhs
    elif row.sense == ">=":
        constraint = expr >= row.rhs
    else:
        constraint = expr == row.rhs
    prob.addConstraint(constraint, name=name)
    return prob.constraints[name]


def run_pulp(prob: pulp.LpProblem, solver: pulp.LpSolver) -> None:
    """Solve (the solver objects are built with ``msg=False``, so nothing is printed).

    Never wrap this in ``contextlib.redirect_stdout``: that swaps the process-wide
    ``sys.stdout``, and solves running in parallel threads then restore each other's
    replacement, leaving the caller's output going nowhere.

    Raises:
        BackendError: the solver crashed or is missing.
    """
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        raise BackendError(f"{solver.name} failed: {exc}") from None


def feasible(
    form: LinearForm,
    *,
    solver: PulpSolverName = "highs",
    rows: Sequence[int] | None = None,
    relax_bounds: bool = False,
) -> bool:
    """Whether the rows (all by default) with the variable bounds admit a point."""
    prob = pulp.LpProblem("feasibility", pulp.LpMinimize)
    columns = pulp_variables(form.model)
    if relax_bounds:
        for col in columns:
            col.lowBound = None
            col.upBound = None
    prob.setObjective(pulp.LpAffineExpression())
    chosen = range(len(form.rows)) if rows is None else rows
    for i in chosen:
        add_row(prob, form.rows[i], affine(form.rows[i].coefs, columns), f"r{i}")
    run_pulp(prob, make_pulp_solver(solver))
    return _status(prob, solver, time_limit=None)[0] is SolveStatus.OPTIMAL


def _status(
    prob: pulp.LpProblem, solver: PulpSolverName, *, time_limit: float | None
) -> tuple[SolveStatus, bool]:
    """Map the solver's outcome to (status, has_values)."""
    if solver == "highs" and getattr(prob, "solverModel", None) is not None:
        import highspy

        model_status = prob.solverModel.getModelStatus()
        statuses = highspy.HighsModelStatus
        has_values = prob.solverModel.getInfo().primal_solution_status == 2
        if model_status == statuses.kOptimal:
            return SolveStatus.OPTIMAL, True
        if model_status == statuses.kInfeasible:
            return SolveStatus.INFEASIBLE, False
        if model_status == statuses.kUnbounded:
            return SolveStatus.UNBOUNDED, False
        if model_status == statuses.kUnboundedOrInfeasible:
            return SolveStatus.UNBOUNDED, False  # resolved by a feasibility check
        if model_status in (statuses.kTimeLimit, statuses.kIterationLimit, statuses.kInterrupt):
            return SolveStatus.TIME_LIMIT, has_values
        return SolveStatus.ERROR, False
    status, sol_status = prob.status, prob.sol_status
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL, True
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.TIME_LIMIT, True
    if status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE, False
    if status == pulp.LpStatusUnbounded:
        return SolveStatus.UNBOUNDED, False
    if status == pulp.LpStatusNotSolved and time_limit is not None:
        return SolveStatus.TIME_LIMIT, False
    return SolveStatus.ERROR, False


class PulpBackend(SolverBackend):
    """LP and MILP through PuLP.

    Args:
        solver: "highs" (HiGHS through highspy, the default) or "cbc".

    Raises:
        BackendError: the chosen solver is not available.
    """

    def __init__(self, *, solver: PulpSolverName = "highs") -> None:
        if solver not in ("highs", "cbc"):
            raise BackendError(f"unknown PuLP solver '{solver}' (use 'highs' or 'cbc')")
        if not pulp_solver_available(solver):
            raise BackendError(f"PuLP cannot run {solver} here (is it installed?)")
        self.solver: PulpSolverName = solver
        self.name = solver

    def supports(self, problem_class: ProblemClass) -> bool:
        return problem_class in (ProblemClass.LP, ProblemClass.MILP)

    def solve(self, model: Model, *, time_limit: float | None = None) -> Solution:
        if not self.supports(model.problem_class):
            raise UnsupportedProblemError(
                f"{self.name} solves LP and MILP only; this model is {model.problem_class}"
            )
        started = time.perf_counter()
        form = linear_form(model)
        sense = pulp.LpMinimize if model.sense == "minimize" else pulp.LpMaximize
        prob = pulp.LpProblem("model", sense)
        columns = pulp_variables(model)
        prob.setObjective(affine(form.objective, columns))
        constraints = [
            add_row(prob, row, affine(row.coefs, columns), f"r{i}")
            for i, row in enumerate(form.rows)
        ]
        run_pulp(prob, make_pulp_solver(self.solver, time_limit=time_limit))
        status, has_values = _status(prob, self.solver, time_limit=time_limit)
        message = ""
        if status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
            is_feasible = feasible(form, solver=self.solver)
            status = SolveStatus.UNBOUNDED if is_feasible else SolveStatus.INFEASIBLE
        values: dict[str, float] = {}
        objective = None
        sensitivity = None
        if has_values:
            values = {
                v.label: _clean(col.varValue, v)
                for v, col in zip(model.variables, columns, strict=True)
            }
            objective = form.objective_constant + sum(
                c * values[model.variables[j].label] for j, c in form.objective.items()
            )
            if status is SolveStatus.OPTIMAL and model.problem_class is ProblemClass.LP:
                # PuLP hands HiGHS's duals of the minimisation form; flip them for maximisation
                # so that a dual is always d(objective) / d(right-hand side), as CBC reports.
                flip = model.sense == "maximize" and self.solver == "highs"
                dual_sign = -1.0 if flip else 1.0
                activities = [
                    sum(c * values[model.variables[j].label] for j, c in row.coefs.items())
                    - row.rhs
                    for row in form.rows
                ]
                sensitivity = lp_sensitivity(
                    model.rows,
                    activities,
                    [dual_sign * float(c.pi or 0.0) + 0.0 for c in constraints],
                    {
                        v.label: dual_sign * float(col.dj or 0.0) + 0.0
                        for v, col in zip(model.variables, columns, strict=True)
                    },
                )
        if status is SolveStatus.TIME_LIMIT:
            message = f"stopped at the time limit ({time_limit}s)" + (
                "; values are the best found" if has_values else "; no feasible point found"
            )
        return Solution(
            status=status,
            objective=objective,
            values=values,
            solver=self.name,
            problem_class=model.problem_class,
            message=message,
            runtime_s=time.perf_counter() - started,
            sensitivity=sensitivity,
        )


def _clean(value: float | None, variable: ScalarVariable) -> float:
    """Round integers; a column in no row and not in the objective gets 0 clipped to its bounds
    (PuLP leaves such columns out of the solver's model)."""
    if value is None:
        low = -math.inf if variable.lower is None else variable.lower
        high = math.inf if variable.upper is None else variable.upper
        return min(max(0.0, low), high)
    number = float(value)
    if variable.is_integer:
        return float(round(number))
    return 0.0 if abs(number) < 1e-12 else number
