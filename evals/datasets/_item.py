"""One benchmark item: the problem text the agent sees, and the gold answer it never sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

GoldStatus = Literal["optimal", "infeasible", "unbounded"]
GOLD_STATUSES: tuple[str, ...] = ("optimal", "infeasible", "unbounded")


@dataclass(frozen=True, slots=True)
class Gold:
    """The label of an item, kept apart from the question so it cannot leak into a prompt.

    Attributes:
        status: what the label claims: an optimum, or that no optimum exists.
        objective: the optimal objective value (``None`` when the label has none).
        named: named quantities and their values (OptiBench's ``results``); scored one by one.
        raw: the label exactly as the file wrote it (``"1500.0"``, ``"No Best Solution"``).
        objective_name: kept for stored records; loaders leave it "" (no name pattern picks
            the objective: the answer's formulation says which named result it is).
        formulation: a ground-truth formulation as a dict (synthetic items carry one), for an
            oracle replay by a scripted backend; never shown to the agent.
    """

    status: GoldStatus = "optimal"
    objective: float | None = None
    named: Mapping[str, float] = field(default_factory=dict)
    raw: Any = None
    objective_name: str = ""
    formulation: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "named": dict(self.named),
            "raw": self.raw,
            "objective_name": self.objective_name,
            "formulation": dict(self.formulation) if self.formulation is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gold:
        return cls(
            status=data.get("status", "optimal"),
            objective=data.get("objective"),
            named=dict(data.get("named") or {}),
            raw=data.get("raw"),
            objective_name=str(data.get("objective_name") or ""),
            formulation=data.get("formulation"),
        )


@dataclass(frozen=True, slots=True)
class EvalItem:
    """A natural-language optimization problem from a benchmark file.

    Attributes:
        id: unique within its dataset; runs resume by it.
        question: the only text the agent is given.
        gold: the label; read by scoring only.
        category: the file's type or category field (``LP``, ``linear-table``...), for reports.
        source: the file (or folder) the item came from.
        meta: other fields of the row, JSON-safe, for reports.
    """

    id: str
    question: str
    gold: Gold
    category: str = ""
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def quantities(self) -> list[str]:
        """Names of the values to report (OptiBench result names); never their values."""
        return list(self.gold.named)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "gold": self.gold.to_dict(),
            "category": self.category,
            "source": self.source,
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalItem:
        return cls(
            id=str(data["id"]),
            question=str(data["question"]),
            gold=Gold.from_dict(data.get("gold") or {}),
            category=str(data.get("category", "")),
            source=str(data.get("source", "")),
            meta=dict(data.get("meta") or {}),
        )
