"""optagent's solver half: typed formulations, a safe expression language, free solvers,
independent verification, infeasibility/unboundedness diagnosis and LP sensitivity.

Usable without any LLM and never imports agent/::

    from solvers import load_formulation, solve, verify, diagnose
    formulation = load_formulation("transport.json")
    solution = solve(formulation, time_limit=10)
    report = verify(formulation, solution)

Submodules load on first use, so ``import solvers.sandbox`` (run by the sandbox's own
interpreter, which has no SymPy) does not pull in the solver stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solvers._api import solve
    from solvers._checked import CheckedSolve, solve_and_check
    from solvers.backends import (
        Solution,
        SolverBackend,
        SolveStatus,
        available_backends,
        backend_for,
        linear_form,
    )
    from solvers.diagnosis import Diagnosis, InfeasibilityDiagnosis, UnboundedDiagnosis, diagnose
    from solvers.errors import (
        BackendError,
        ExpressionError,
        FormulationError,
        SolverError,
        UnsupportedProblemError,
    )
    from solvers.expressions import ProblemClass
    from solvers.formulation import (
        ConstraintDef,
        Formulation,
        Model,
        ObjectiveDef,
        ParameterDef,
        ReportDef,
        SetDef,
        VariableDef,
        compile_formulation,
        formulation_schema,
        load_formulation,
    )
    from solvers.sensitivity import Sensitivity
    from solvers.verification import VerificationReport, Violation, verify

_LAZY: dict[str, str] = {
    "solve": "solvers._api",
    "CheckedSolve": "solvers._checked",
    "solve_and_check": "solvers._checked",
    "Solution": "solvers.backends",
    "SolverBackend": "solvers.backends",
    "SolveStatus": "solvers.backends",
    "available_backends": "solvers.backends",
    "backend_for": "solvers.backends",
    "linear_form": "solvers.backends",
    "Diagnosis": "solvers.diagnosis",
    "InfeasibilityDiagnosis": "solvers.diagnosis",
    "UnboundedDiagnosis": "solvers.diagnosis",
    "diagnose": "solvers.diagnosis",
    "BackendError": "solvers.errors",
    "ExpressionError": "solvers.errors",
    "FormulationError": "solvers.errors",
    "SolverError": "solvers.errors",
    "UnsupportedProblemError": "solvers.errors",
    "ProblemClass": "solvers.expressions",
    "ConstraintDef": "solvers.formulation",
    "Formulation": "solvers.formulation",
    "Model": "solvers.formulation",
    "ObjectiveDef": "solvers.formulation",
    "ParameterDef": "solvers.formulation",
    "ReportDef": "solvers.formulation",
    "SetDef": "solvers.formulation",
    "VariableDef": "solvers.formulation",
    "compile_formulation": "solvers.formulation",
    "formulation_schema": "solvers.formulation",
    "load_formulation": "solvers.formulation",
    "Sensitivity": "solvers.sensitivity",
    "VerificationReport": "solvers.verification",
    "Violation": "solvers.verification",
    "verify": "solvers.verification",
}

__all__ = [
    "BackendError",
    "CheckedSolve",
    "ConstraintDef",
    "Diagnosis",
    "ExpressionError",
    "Formulation",
    "FormulationError",
    "InfeasibilityDiagnosis",
    "Model",
    "ObjectiveDef",
    "ParameterDef",
    "ProblemClass",
    "ReportDef",
    "Sensitivity",
    "SetDef",
    "Solution",
    "SolveStatus",
    "SolverBackend",
    "SolverError",
    "UnboundedDiagnosis",
    "UnsupportedProblemError",
    "VariableDef",
    "VerificationReport",
    "Violation",
    "available_backends",
    "backend_for",
    "compile_formulation",
    "diagnose",
    "formulation_schema",
    "linear_form",
    "load_formulation",
    "solve",
    "solve_and_check",
    "verify",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'solvers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
