"""Sensitivity of LP optima: duals, slacks, binding constraints, allowable ranges."""

from solvers.sensitivity._ranging import Range, Ranging, lp_ranging
from solvers.sensitivity._sensitivity import RowSensitivity, Sensitivity, lp_sensitivity, row_slack

__all__ = [
    "Range",
    "Ranging",
    "RowSensitivity",
    "Sensitivity",
    "lp_ranging",
    "lp_sensitivity",
    "row_slack",
]
