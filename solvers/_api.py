"""The Python API in three calls: `solve`, `verify` (re-exported) and `diagnose` (re-exported)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from solvers.backends import (
    PulpBackend,
    Solution,
    SolveStatus,
    backend_for,
    pulp_solver_available,
)
from solvers.errors import BackendError
from solvers.formulation import (
    Formulation,
    Model,
    compile_formulation,
    load_formulation,
    report_values,
)


def solve(
    formulation: Formulation | Model | Mapping[str, Any] | str | Path,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
) -> Solution:
    """Compile and solve a formulation with the backend its problem class calls for.

    LP and MILP go to HiGHS (CBC if HiGHS is missing or fails), NLP to SciPy, MINLP to SCIP.
    The formulation's named results (``report``) are evaluated at the values found and
    returned in ``Solution.reported``.

    Args:
        formulation: a `Formulation`, a compiled `Model`, a dict, a JSON text or a file path.
        solver: force a backend ("highs", "cbc", "scipy", "scipy-trust-constr").
        time_limit: seconds the solver may run (None: no limit).

    Returns:
        A `Solution` with a status, the objective, the values by variable label and the
        named results.

    Raises:
        FormulationError: the formulation is malformed (the text names element, field, index).
        UnsupportedProblemError: no installed solver handles the problem class (MINLP without
            pyscipopt).
        BackendError: a bad time limit, or the solver could not run.

    Example:
        >>> solve({"variables": [{"name": "x", "upper": 3}],
        ...        "objective": {"sense": "maximize", "expression": "2*x"}}).objective
        6.0
    """
    if time_limit is not None and not time_limit > 0:
        raise BackendError(f"time limit must be positive, got {time_limit}")
    model = (
        formulation
        if isinstance(formulation, Model)
        else compile_formulation(load_formulation(formulation))
    )
    return _with_report(model, _solve(model, solver=solver, time_limit=time_limit))


def _with_report(model: Model, solution: Solution) -> Solution:
    if not model.formulation.report or not solution.values:
        return solution
    reported = report_values(model.formulation, model.table, solution.values, solution.objective)
    return replace(solution, reported=reported)


def _solve(model: Model, *, solver: str | None, time_limit: float | None) -> Solution:
    backend = backend_for(model.problem_class, prefer=solver)
    try:
        solution = backend.solve(model, time_limit=time_limit)
    except BackendError as exc:
        if not _may_fall_back(backend, solver):
            raise
        solution = Solution(
            SolveStatus.ERROR, None, {}, backend.name, model.problem_class, message=str(exc)
        )
    if solution.status is SolveStatus.ERROR and _may_fall_back(backend, solver):
        fallback = PulpBackend(solver="cbc").solve(model, time_limit=time_limit)
        return replace(
            fallback,
            message=f"HiGHS failed ({solution.message}); solved with CBC. " + fallback.message,
        )
    return solution


def _may_fall_back(backend: Any, solver: str | None) -> bool:
    return (
        solver is None
        and isinstance(backend, PulpBackend)
        and backend.solver == "highs"
        and pulp_solver_available("cbc")
    )
