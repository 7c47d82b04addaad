"""The five-element formulation (sets, parameters, variables, objective, constraints)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Element = int | str
Number = float
ParameterValue = float | list[float] | list[list[float]] | list[list[list[float]]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetDef(_Strict):
    """A finite index set, e.g. ``{"name": "I", "elements": [1, 2, 3]}``."""

    name: str = Field(description="Identifier, e.g. 'I' or 'Plants'.")
    elements: list[Element] = Field(description="Distinct members: integers or short strings.")
    description: str = ""


class ParameterDef(_Strict):
    """A scalar or a table indexed over sets (nested lists in the order of the index sets)."""

    name: str = Field(description="Identifier, e.g. 'cost'.")
    index: list[str] = Field(
        default_factory=list, description="Names of the sets it is indexed over; [] for a scalar."
    )
    value: ParameterValue = Field(
        description="A number for a scalar; a list for one set; a list of rows for two sets."
    )
    description: str = ""


class VariableDef(_Strict):
    """A decision variable, scalar or indexed over one or more sets."""

    name: str = Field(description="Identifier, e.g. 'x'.")
    index: list[str] = Field(
        default_factory=list, description="Names of the sets it is indexed over; [] for a scalar."
    )
    type: Literal["continuous", "integer", "binary"] = "continuous"
    lower: float | None = Field(default=0.0, description="Lower bound; null for none. Default 0.")
    upper: float | None = Field(default=None, description="Upper bound; null for none.")
    description: str = ""


class ObjectiveDef(_Strict):
    """What to optimise."""

    sense: Literal["minimize", "maximize"]
    expression: str = Field(description="E.g. 'sum(cost[i]*x[i] for i in I)'.")


class ConstraintDef(_Strict):
    """A named constraint, optionally one row per index ("for all i in I")."""

    name: str = Field(description="Identifier, e.g. 'capacity'.")
    for_all: str = Field(
        default="", description="Row indices, e.g. 'i in I' or 'i in I, j in J'; '' for one row."
    )
    where: str = Field(default="", description="Optional row filter, e.g. 'i != j'.")
    expression: str = Field(description="One comparison, e.g. 'sum(x[i,j] for j in J) <= cap[i]'.")
    description: str = ""


class ReportDef(_Strict):
    """A named quantity the answer reports, e.g. ``{"name": "The number of chairs",
    "expression": "x['chairs']"}``.

    ``name`` is the requested phrase exactly as given (it need not be an identifier);
    ``expression`` is an expression over the variables and parameters, or the word
    ``objective`` for the objective value.
    """

    name: str = Field(description="The requested quantity's phrase, exactly as given.")
    expression: str = Field(
        description="An expression over the variables, e.g. 'x[1] + x[2]', or 'objective'."
    )


OBJECTIVE_REPORT = "objective"
"""The ``ReportDef.expression`` that stands for the objective value."""


class Formulation(_Strict):
    """An optimization model in LLMOPT's five elements; expressions are strings."""

    name: str = "model"
    description: str = ""
    sets: list[SetDef] = Field(default_factory=list)
    parameters: list[ParameterDef] = Field(default_factory=list)
    variables: list[VariableDef] = Field(min_length=1)
    objective: ObjectiveDef
    constraints: list[ConstraintDef] = Field(default_factory=list)
    report: list[ReportDef] = Field(
        default_factory=list,
        description="Named quantities to report: the requested phrase and its expression.",
    )
