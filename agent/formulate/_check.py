"""Parse a model's formulation reply, then compile, solve, verify and diagnose it.

Every failure becomes a ``Check`` whose ``error`` is the solvers' own text, verbatim, so the
agent can hand it back to the model that wrote the formulation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agent.errors import ParseError
from agent.llm import extract_json
from solvers._api import solve
from solvers.backends import Solution, SolveStatus
from solvers.diagnosis import diagnose
from solvers.errors import FormulationError, SolverError, UnsupportedProblemError
from solvers.formulation import Formulation, compile_formulation, load_formulation
from solvers.verification import VerificationReport, verify

OK = "optimal"
PARSE_ERROR = "parse_error"
FORMULATION_ERROR = "formulation_error"
SOLVER_ERROR = "solver_error"
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NOT_SOLVED = "not_solved"
NOT_VERIFIED = "not_verified"
CODE_OK = "code_ok"
CODE_ERROR = "code_error"
FINISHED = (OK, CODE_OK)
#: Why an all-zero optimum is doubted (``Check.suspect``).
ALL_ZERO = (
    "every variable and the objective are 0 at the optimum: no row asks for any activity, so a "
    "requirement the problem states (a minimum, a demand, a total to meet) is probably missing"
)


@dataclass(frozen=True)
class Check:
    """The outcome of one formulation: a status, the error text to feed back, the numbers."""

    status: str
    error: str = ""
    formulation: Formulation | None = None
    solution: Solution | None = None
    report: VerificationReport | None = None
    code: str = ""
    code_values: dict[str, float] | None = None
    code_objective: float | None = None

    @property
    def ok(self) -> bool:
        """A verified optimum, or (code path) sandboxed code that returned a valid result."""
        return self.status in FINISHED

    @property
    def suspect(self) -> str:
        """Why a verified optimum is doubtful, or "". An all-zero optimum (every variable and
        the objective at 0) is one a problem posed in words almost never means: a row that
        forces activity was lost. A correct formulation of MAMO EasyLP never had one, while 45
        of the 116 wrong values of adapter v4 did. The agent samples again while it may; the
        doubted optimum stays the answer if nothing better comes."""
        solution = self.solution
        if not self.ok or solution is None or not solution.values:
            return ""
        zero = all(abs(v) <= 1e-9 for v in solution.values.values())
        return ALL_ZERO if zero and abs(solution.objective or 0.0) <= 1e-9 else ""

    @property
    def objective(self) -> float | None:
        if self.solution is not None:
            return self.solution.objective
        return self.code_objective

    @property
    def values(self) -> dict[str, float]:
        if self.solution is not None:
            return dict(self.solution.values)
        return dict(self.code_values or {})


def parse_formulation_reply(reply: str | Mapping[str, Any]) -> Formulation:
    """Turn a model's reply (text with a JSON object, or an already parsed dict) into a
    validated ``Formulation``.

    Raises:
        ParseError: no JSON object in the text.
        FormulationError: the JSON is not a valid formulation (names element and field).
    """
    data = reply if isinstance(reply, Mapping) else extract_json(reply)
    if not isinstance(data, Mapping):
        raise ParseError(f"expected a JSON object, got a JSON {type(data).__name__}")
    try:
        return load_formulation(data)
    except RecursionError:
        raise ParseError("the JSON value is nested too deeply") from None


def check_reply(reply: str | Mapping[str, Any], *, time_limit: float | None = 30.0) -> Check:
    """Parse, compile, solve, verify and (when infeasible or unbounded) diagnose a reply.

    Never raises for a bad reply: every failure is a ``Check`` with the solvers' text.
    """
    try:
        formulation = parse_formulation_reply(reply)
    except ParseError as exc:
        return Check(PARSE_ERROR, str(exc))
    except FormulationError as exc:
        return Check(FORMULATION_ERROR, str(exc))
    return check_formulation(formulation, time_limit=time_limit)


def check_formulation(formulation: Formulation, *, time_limit: float | None = 30.0) -> Check:
    """Compile, solve, verify and diagnose a validated formulation (see ``check_reply``)."""
    try:
        model = compile_formulation(formulation)
    except FormulationError as exc:
        return Check(FORMULATION_ERROR, str(exc), formulation)
    except (SolverError, RecursionError, ValueError, OverflowError) as exc:
        return Check(SOLVER_ERROR, _text(exc), formulation)
    try:
        solution = solve(model, time_limit=time_limit)
    except (SolverError, ValueError, OverflowError, ZeroDivisionError) as exc:
        return Check(SOLVER_ERROR, _text(exc), formulation)
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
        status = INFEASIBLE if solution.status is SolveStatus.INFEASIBLE else UNBOUNDED
        try:
            detail = diagnose(model, status=solution.status).message
        except (UnsupportedProblemError, SolverError) as exc:
            detail = f"no diagnosis: {exc}"
        return Check(status, f"the model is {status}: {detail}", formulation, solution)
    if solution.status is not SolveStatus.OPTIMAL:
        text = f"the solver returned status {solution.status.value}"
        if solution.message:
            text += f": {solution.message}"
        return Check(NOT_SOLVED, text, formulation, solution)
    try:
        report = verify(formulation, solution)
    except SolverError as exc:
        return Check(NOT_VERIFIED, _text(exc), formulation, solution)
    if not report.ok:
        lines = "; ".join(v.message for v in report.violations[:5])
        return Check(NOT_VERIFIED, f"verification failed: {lines}", formulation, solution, report)
    return Check(OK, "", formulation, solution, report)


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
