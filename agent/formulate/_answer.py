"""The agent's answer: numbers from the solver, an explanation rendered from them by a template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import prompts
from solvers import Solution


@dataclass(frozen=True)
class AgentAnswer:
    """What ``agent.formulate.solve`` returns; ``to_dict()`` is JSON-safe.

    Attributes:
        status: ``optimal`` for a verified optimum, else the winning chain's last status.
        objective: the voted objective value (None without one).
        values: variable values of the chain that represents the vote.
        binding: labels of the binding constraint rows (LP sensitivity).
        explanation: a short text rendered from the solution, never written by the model.
        quantities: the caller's requested quantities by name (None when not in the model).
        reported: every named result of the winning formulation (its ``report``) and value.
        objective_name: the named result the formulation maps to ``objective`` ("" if none).
        formulation: the winning formulation as a dict.
        chains: every independent chain with all its rounds (the trace).
        vote: the clusters of agreeing chains and the winners.
        model: the model spec.
        sensitivity: duals and slacks (LP only).
        stopped: why the run stopped early (a budget), else "".
        extra: more fields for ``to_dict`` (the code on the code path).
        truncated_rounds: rounds whose reply was cut off at ``max_tokens`` (finish reason
            ``length``); such a round that gave nothing usable has status ``truncated``.
    """

    status: str
    objective: float | None
    values: dict[str, float]
    binding: list[str]
    explanation: str
    quantities: dict[str, Any]
    formulation: dict[str, Any] | None
    chains: list[dict[str, Any]]
    vote: dict[str, Any]
    model: str
    sensitivity: dict[str, Any] | None = None
    stopped: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    truncated_rounds: int = 0
    reported: dict[str, float] = field(default_factory=dict)
    objective_name: str = ""

    @property
    def ok(self) -> bool:
        """A verified optimum (or, on the code path, code that returned a valid result)."""
        return self.status in ("optimal", "code_ok")

    @property
    def rounds_used(self) -> int:
        """Rounds of the winning chain (of the first chain when nothing won)."""
        winners = self.vote.get("winners") or [0]
        chain = self.chains[winners[0]] if self.chains else {"rounds": []}
        return len(chain["rounds"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (the CLI's ``--json`` output)."""
        return {
            "status": self.status,
            "objective": self.objective,
            "values": dict(self.values),
            "binding": list(self.binding),
            "explanation": self.explanation,
            "quantities": dict(self.quantities),
            "reported": dict(self.reported),
            "objective_name": self.objective_name,
            "formulation": self.formulation,
            "rounds_used": self.rounds_used,
            "vote": self.vote,
            "chains": self.chains,
            "model": self.model,
            "sensitivity": self.sensitivity,
            "stopped": self.stopped,
            "truncated_rounds": self.truncated_rounds,
            **self.extra,
        }


def _num(value: float) -> str:
    return f"{value:.6g}"


def explain(
    *,
    status: str,
    error: str,
    sense: str,
    solution: Solution | None,
    votes: int,
    agreeing: int,
    objective: float | None = None,
    values: dict[str, float] | None = None,
) -> str:
    """Render the explanation template from the solution's numbers (duals and slacks for LPs)."""
    nonzero: list[str] = []
    binding: list[dict[str, str]] = []
    slack: list[dict[str, str]] = []
    shown = solution.values if solution is not None else values or {}
    nonzero = [f"{k} = {_num(v)}" for k, v in shown.items() if abs(v) > 1e-9][:12]
    if solution is not None and solution.sensitivity is not None:
        for row in solution.sensitivity.rows:
            item = {"label": row.label, "dual": _num(row.dual), "slack": _num(row.slack)}
            (binding if row.binding else slack).append(item)
    return prompts.render(
        "formulate/explanation",
        status=status,
        error=error,
        sense=sense,
        objective="-"
        if solution is None or solution.objective is None
        else _num(solution.objective),
        problem_class=solution.problem_class.value if solution else "",
        solver=solution.solver if solution else "",
        nonzero=nonzero,
        binding=binding[:10],
        slack=slack[:10],
        votes=votes,
        agreeing=agreeing,
    ).strip()


def pick_quantities(
    names: Sequence[str],
    objective: float | None,
    values: dict[str, float],
    reported: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The requested quantities: a named result of the formulation's ``report`` (matched by
    its exact name), else ``objective``, a variable label (``x[1]``) or a variable name (all
    its entries as a dict); None for a name the answer does not have."""
    reported = reported or {}
    out: dict[str, Any] = {}
    for name in names:
        if name in reported:
            out[name] = reported[name]
        elif name == "objective":
            out[name] = objective
        elif name in values:
            out[name] = values[name]
        else:
            entries = {k: v for k, v in values.items() if k.startswith(name + "[")}
            out[name] = entries or None
    return out
