"""Pick a backend by problem class: HiGHS (then CBC) for LP/MILP, SciPy for NLP, SCIP for MINLP."""

from __future__ import annotations

from solvers.backends._base import SolverBackend
from solvers.backends._pulp import PulpBackend, pulp_solver_available
from solvers.backends._scip import ScipBackend, scip_available
from solvers.backends._scipy_nlp import ScipyBackend
from solvers.errors import UnsupportedProblemError
from solvers.expressions import ProblemClass

BACKENDS: tuple[str, ...] = ("highs", "cbc", "scipy", "scip")


def available_backends() -> list[str]:
    """Names of the backends that can run here, in order of preference."""
    names = [name for name in ("highs", "cbc") if pulp_solver_available(name)]
    return [*names, "scipy", *(["scip"] if scip_available() else [])]


def make_backend(name: str) -> SolverBackend:
    """Build a backend by name ("highs", "cbc", "scipy", "scipy-trust-constr", "scip").

    Raises:
        UnsupportedProblemError: an unknown name.
    """
    if name in ("highs", "cbc"):
        return PulpBackend(solver=name)  # type: ignore[arg-type]  # `in` on a tuple does not narrow str to the Literal
    if name in ("scipy", "scipy-slsqp"):
        return ScipyBackend()
    if name == "scipy-trust-constr":
        return ScipyBackend(method="trust-constr")
    if name == "scip":
        return ScipBackend()
    raise UnsupportedProblemError(
        f"unknown solver '{name}' (choose from highs, cbc, scipy, scipy-trust-constr, scip)"
    )


def backend_for(problem_class: ProblemClass, *, prefer: str | None = None) -> SolverBackend:
    """The backend to use for a problem class.

    Args:
        problem_class: LP, MILP, NLP or MINLP.
        prefer: a backend name to use instead of the default.

    Raises:
        UnsupportedProblemError: no installed backend handles the class (MINLP without
            pyscipopt), or the preferred one does not.
    """
    if prefer is not None:
        backend = make_backend(prefer)
        if not backend.supports(problem_class):
            raise UnsupportedProblemError(f"solver '{prefer}' cannot solve a {problem_class} model")
        return backend
    if problem_class in (ProblemClass.LP, ProblemClass.MILP):
        for name in available_backends():
            if name in ("highs", "cbc"):
                return PulpBackend(solver=name)  # type: ignore[arg-type]  # `in` on a tuple does not narrow str to the Literal
        raise UnsupportedProblemError("no LP/MILP solver available: install highspy or pulp")
    if problem_class is ProblemClass.NLP:
        return ScipyBackend()
    if scip_available():
        return ScipBackend()
    raise UnsupportedProblemError(
        "MINLP (integer variables in a nonlinear model) needs SCIP: pip install pyscipopt; "
        "or linearize the nonlinear terms or make the integer variables continuous"
    )
