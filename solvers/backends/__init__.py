"""Solver backends behind one `SolverBackend` interface, and the registry that picks one."""

from solvers.backends._base import Solution, SolverBackend, SolveStatus
from solvers.backends._linear import LinearForm, LinearRow, linear_form
from solvers.backends._pulp import (
    PulpBackend,
    PulpSolverName,
    add_row,
    affine,
    feasible,
    make_pulp_solver,
    pulp_solver_available,
    pulp_variables,
    run_pulp,
    silence_highs_banner,
)
from solvers.backends._registry import (
    BACKENDS,
    available_backends,
    backend_for,
    make_backend,
)
from solvers.backends._scip import ScipBackend, scip_available
from solvers.backends._scipy_nlp import ScipyBackend

__all__ = [
    "BACKENDS",
    "LinearForm",
    "LinearRow",
    "PulpBackend",
    "PulpSolverName",
    "ScipBackend",
    "ScipyBackend",
    "Solution",
    "SolveStatus",
    "SolverBackend",
    "add_row",
    "affine",
    "available_backends",
    "backend_for",
    "feasible",
    "linear_form",
    "make_backend",
    "make_pulp_solver",
    "pulp_solver_available",
    "pulp_variables",
    "run_pulp",
    "scip_available",
    "silence_highs_banner",
]
