"""LP sensitivity: duals, slacks and binding constraints, to ground explanations in numbers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from solvers.expressions import Element


@dataclass(frozen=True, slots=True)
class RowSensitivity:
    """One constraint row: its dual, slack and whether it binds.

    `dual` is the shadow price: the change of the objective per unit increase of the row's
    right-hand side (in the row's own sense, as written).
    """

    label: str
    constraint: str
    index: dict[str, Element]
    dual: float
    slack: float
    binding: bool


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """Duals and slacks of an LP optimum, with reduced costs of the variables."""

    rows: list[RowSensitivity]
    reduced_costs: dict[str, float] = field(default_factory=dict)

    @property
    def binding(self) -> list[RowSensitivity]:
        """The rows that hold with equality at the optimum."""
        return [row for row in self.rows if row.binding]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return {
            "rows": [
                {
                    "label": r.label,
                    "constraint": r.constraint,
                    "index": r.index,
                    "dual": r.dual,
                    "slack": r.slack,
                    "binding": r.binding,
                }
                for r in self.rows
            ],
            "reduced_costs": dict(self.reduced_costs),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sensitivity:
        """Rebuild from ``to_dict`` output.

        Raises:
            KeyError: a row lacks a field.
        """
        rows = [
            RowSensitivity(
                label=str(r["label"]),
                constraint=str(r["constraint"]),
                index=dict(r.get("index") or {}),
                dual=float(r["dual"]),
                slack=float(r["slack"]),
                binding=bool(r["binding"]),
            )
            for r in data.get("rows") or []
        ]
        costs = {str(k): float(v) for k, v in (data.get("reduced_costs") or {}).items()}
        return cls(rows=rows, reduced_costs=costs)


def row_slack(sense: str, activity: float) -> float:
    """Slack of a row ``body sense 0`` given ``activity = body(x)``: >= 0 when satisfied."""
    if sense == "<=":
        return -activity
    if sense == ">=":
        return activity
    return -abs(activity)


def lp_sensitivity(
    rows: list[Any],
    activities: list[float],
    duals: list[float],
    reduced_costs: Mapping[str, float],
    *,
    tol: float = 1e-7,
) -> Sensitivity:
    """Combine the solver's duals with slacks computed from the row activities.

    Args:
        rows: the model's rows (objects with label, constraint, index, sense).
        activities: ``body(x)`` of each row at the solution.
        duals: the solver's dual value of each row (its sign convention, minimisation form).
        reduced_costs: reduced cost per variable label.
        tol: a row binds when its slack is within `tol` (scaled by 1 + |activity|).

    Returns:
        A `Sensitivity`.
    """
    out: list[RowSensitivity] = []
    for row, activity, dual in zip(rows, activities, duals, strict=True):
        slack = row_slack(row.sense, activity)
        out.append(
            RowSensitivity(
                label=row.label,
                constraint=row.constraint,
                index=dict(row.index),
                dual=dual,
                slack=max(slack, 0.0) + 0.0 if row.sense != "==" else 0.0,
                binding=row.sense == "==" or abs(slack) <= tol * (1.0 + abs(activity)),
            )
        )
    return Sensitivity(rows=out, reduced_costs=dict(reduced_costs))
