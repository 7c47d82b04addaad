"""Formulations: the pydantic five-element model, its JSON schema, loading and compilation."""

from solvers.formulation._compile import (
    build_table,
    compile_formulation,
    constraint_bindings,
    index_keys,
    variable_bounds,
)
from solvers.formulation._compiled import Model, Row, ScalarVariable, variable_label
from solvers.formulation._load import formulation_from_dict, load_formulation
from solvers.formulation._model import (
    OBJECTIVE_REPORT,
    ConstraintDef,
    Formulation,
    ObjectiveDef,
    ParameterDef,
    ReportDef,
    SetDef,
    VariableDef,
)
from solvers.formulation._report import check_report, report_values
from solvers.formulation._schema import formulation_schema

__all__ = [
    "OBJECTIVE_REPORT",
    "ConstraintDef",
    "Formulation",
    "Model",
    "ObjectiveDef",
    "ParameterDef",
    "ReportDef",
    "Row",
    "ScalarVariable",
    "SetDef",
    "VariableDef",
    "build_table",
    "check_report",
    "compile_formulation",
    "constraint_bindings",
    "formulation_from_dict",
    "formulation_schema",
    "index_keys",
    "load_formulation",
    "report_values",
    "variable_bounds",
    "variable_label",
]
