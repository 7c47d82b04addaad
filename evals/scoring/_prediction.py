"""What the agent answered for one item, reduced to what scoring reads."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.formulate import AgentAnswer

# Statuses (agent.formulate._check and the runner) that mean the attempt did not run through.
EXECUTION_ERROR_STATUSES: tuple[str, ...] = (
    "truncated",
    "parse_error",
    "formulation_error",
    "solver_error",
    "code_error",
    "not_solved",
    "error",
    "timeout",
)
# Statuses of an attempt whose model ran to a result (the execution rate counts these).
SOLVED_STATUSES: tuple[str, ...] = (
    "optimal",
    "not_verified",
    "code_ok",
    "infeasible",
    "unbounded",
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True, slots=True)
class Prediction:
    """The agent's final answer to one item.

    Attributes:
        status: the agent's final status (``optimal``, ``not_verified``, ``infeasible``,
            ``unbounded``, ``parse_error``, ``formulation_error``, ``solver_error``,
            ``not_solved``, ``code_ok``, ``code_error``, ``not_run``; the runner adds ``error``
            and ``timeout`` for an attempt that crashed or ran out of time).
        objective: the reported objective value, None without one.
        quantities: requested named values (OptiBench result names); None for a name the
            answer does not give as one number.
        error: the error text of a failed attempt ("" otherwise).
        objective_name: the named quantity the formulation maps to its objective ("" when
            none does); its value is the objective.
    """

    status: str
    objective: float | None = None
    quantities: Mapping[str, float | None] = field(default_factory=dict)
    error: str = ""
    objective_name: str = ""

    @classmethod
    def from_answer(cls, answer: AgentAnswer) -> Prediction:
        """Reduce an ``agent.formulate.AgentAnswer``: its status, objective and quantities
        (a quantity that is not one finite number, e.g. a whole indexed variable, becomes None).
        """
        error = ""
        if not answer.ok and answer.chains:
            lead = (answer.vote.get("winners") or [0])[0]
            rounds = answer.chains[lead].get("rounds") or []
            if rounds:
                error = str(rounds[-1].get("error") or "")
        if answer.stopped and not error:
            error = answer.stopped
        return cls(
            status=answer.status,
            objective=_number(answer.objective),
            quantities={str(k): _number(v) for k, v in answer.quantities.items()},
            error=error,
            objective_name=answer.objective_name,
        )

    @classmethod
    def failed(cls, status: str, error: str) -> Prediction:
        """An attempt that produced no answer (crash, timeout): status and error text only."""
        return cls(status=status, error=error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "quantities": dict(self.quantities),
            "error": self.error,
            "objective_name": self.objective_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Prediction:
        return cls(
            status=str(data.get("status", "")),
            objective=_number(data.get("objective")),
            quantities={str(k): _number(v) for k, v in (data.get("quantities") or {}).items()},
            error=str(data.get("error") or ""),
            objective_name=str(data.get("objective_name") or ""),
        )
