"""The backend contract: `SolverBackend.solve(model) -> Solution`, with a common status set."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from solvers.expressions import Element, ProblemClass
from solvers.formulation import Model, variable_label
from solvers.sensitivity import Sensitivity


class SolveStatus(StrEnum):
    """What a solver run ended with."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class Solution:
    """A solver's answer. `values` maps variable labels (``x[1,a]``) to numbers.

    For TIME_LIMIT, `values` holds the incumbent when the solver had one (else it is empty).
    `reported` maps each of the formulation's named results (``report``) to its value at
    these values (filled by ``solvers.solve``; an entry that cannot be evaluated is absent).
    """

    status: SolveStatus
    objective: float | None
    values: dict[str, float]
    solver: str
    problem_class: ProblemClass
    message: str = ""
    runtime_s: float = 0.0
    sensitivity: Sensitivity | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    reported: dict[str, float] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL

    def value(self, name: str, *key: Element) -> float:
        """The value of ``name[key]``, e.g. ``solution.value("x", 1, "a")``.

        Raises:
            KeyError: no such variable in the solution.
        """
        return self.values[variable_label(name, tuple(key))]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (the CLI's ``--json`` output)."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "values": dict(self.values),
            "solver": self.solver,
            "problem_class": self.problem_class.value,
            "message": self.message,
            "runtime_s": self.runtime_s,
            "sensitivity": self.sensitivity.to_dict() if self.sensitivity else None,
            "reported": dict(self.reported),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Solution:
        """Rebuild a solution from ``to_dict`` output (a stored run record).

        Raises:
            KeyError, ValueError: a required field is missing or has an unknown value.
        """
        sensitivity = data.get("sensitivity")
        return cls(
            status=SolveStatus(data["status"]),
            objective=None if data.get("objective") is None else float(data["objective"]),
            values={str(k): float(v) for k, v in (data.get("values") or {}).items()},
            solver=str(data.get("solver", "")),
            problem_class=ProblemClass(data["problem_class"]),
            message=str(data.get("message", "")),
            runtime_s=float(data.get("runtime_s", 0.0)),
            sensitivity=Sensitivity.from_dict(sensitivity) if sensitivity else None,
            reported={str(k): float(v) for k, v in (data.get("reported") or {}).items()},
        )


class SolverBackend(abc.ABC):
    """A solver. Subclasses implement `supports` and `solve`; both are side-effect free."""

    name: str = "backend"

    @abc.abstractmethod
    def supports(self, problem_class: ProblemClass) -> bool:
        """Whether this backend can solve models of `problem_class`."""

    @abc.abstractmethod
    def solve(self, model: Model, *, time_limit: float | None = None) -> Solution:
        """Solve `model` within `time_limit` seconds (None: no limit).

        Raises:
            UnsupportedProblemError: the model's class is not supported.
        """
