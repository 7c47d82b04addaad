"""The numeric tolerance of each scoring mode, as pure functions of (predicted, label).

| mode      | source                                | a value matches when                         |
| --------- | ------------------------------------- | -------------------------------------------- |
| mamo      | MAMO (Huang et al. 2024)              | relative error <= 1e-4 or absolute < 0.01    |
| orlm      | ORLM / IndustryOR (Tang et al. 2024)  | both rounded to 2 decimals, relative <= 5%   |
| strict    | this project                          | abs error <= 1e-6 * max(abs(label), 1)       |
| optibench | OptiBench (Yang et al., ReSocratic)   | every named value within the MAMO tolerance  |
"""

from __future__ import annotations

from collections.abc import Callable

MAMO_RELATIVE = 1e-4
MAMO_ABSOLUTE = 0.01
ORLM_RELATIVE = 0.05
ORLM_DECIMALS = 2
STRICT_RELATIVE = 1e-6
# Decimal boundaries (1000.1 vs 1000 is exactly 1e-4 on paper) are not exact in binary floating
# point; thresholds are widened by this relative slack so a value on the boundary counts.
_SLACK = 1 + 1e-9


def relative_error(predicted: float, label: float) -> float:
    """``abs(predicted - label) / abs(label)``; infinite for a zero label and another value."""
    diff = abs(predicted - label)
    if label == 0:
        return 0.0 if diff == 0 else float("inf")
    return diff / abs(label)


def mamo_match(predicted: float, label: float) -> bool:
    """MAMO: relative error at most 1e-4, or absolute error below 0.01."""
    return (
        abs(predicted - label) < MAMO_ABSOLUTE
        or relative_error(predicted, label) <= MAMO_RELATIVE * _SLACK
    )


def orlm_match(predicted: float, label: float) -> bool:
    """ORLM/IndustryOR: both values rounded to two decimals (as the labels are written), then
    relative error at most 5% (a zero label needs a prediction that rounds to zero)."""
    p = round(predicted, ORLM_DECIMALS)
    g = round(label, ORLM_DECIMALS)
    return relative_error(p, g) <= ORLM_RELATIVE * _SLACK


def strict_match(predicted: float, label: float) -> bool:
    """Strict: relative error at most 1e-6 (absolute 1e-6 for labels below 1 in magnitude)."""
    return abs(predicted - label) <= STRICT_RELATIVE * max(abs(label), 1.0) * _SLACK


TOLERANCES: dict[str, Callable[[float, float], bool]] = {
    "mamo": mamo_match,
    "orlm": orlm_match,
    "strict": strict_match,
    "optibench": mamo_match,
}
