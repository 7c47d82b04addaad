"""Solve, verify and (when there is no optimum) diagnose a formulation in one call."""

from __future__ import annotations

from dataclasses import dataclass

from solvers._api import solve
from solvers.backends import Solution, SolveStatus
from solvers.diagnosis import Diagnosis, diagnose
from solvers.errors import UnsupportedProblemError
from solvers.formulation import Formulation, Model, compile_formulation
from solvers.verification import VerificationReport, verify


@dataclass(frozen=True, slots=True)
class CheckedSolve:
    """Everything a user-facing view of one solve needs.

    Attributes:
        model: the compiled model.
        solution: what the solver returned.
        report: the independent verification (``None`` when there are no values to check).
        diagnosis: the conflict set or unbounded ray of an infeasible or unbounded model.
        note: why there is no diagnosis where one was expected ("" otherwise).
    """

    model: Model
    solution: Solution
    report: VerificationReport | None
    diagnosis: Diagnosis | None
    note: str = ""

    @property
    def verified_optimum(self) -> bool:
        return self.solution.status is SolveStatus.OPTIMAL and bool(self.report and self.report.ok)


def solve_and_check(
    formulation: Formulation, *, solver: str | None = None, time_limit: float | None = None
) -> CheckedSolve:
    """Compile and solve ``formulation``, verify any values found, and diagnose an infeasible
    or unbounded result (noting, not raising, when the problem class has no diagnosis).

    Raises:
        FormulationError: the formulation does not compile.
        BackendError: a bad time limit, or the solver could not run.
    """
    model = compile_formulation(formulation)
    solution = solve(model, solver=solver, time_limit=time_limit)
    report = verify(formulation, solution) if solution.values else None
    diagnosis: Diagnosis | None = None
    note = ""
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
        try:
            diagnosis = diagnose(model, status=solution.status)
        except UnsupportedProblemError as exc:
            note = f"no diagnosis: {exc}"
    return CheckedSolve(model, solution, report, diagnosis, note)
