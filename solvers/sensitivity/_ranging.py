"""LP ranging: how far an objective coefficient or a right-hand side can move before the
optimal basis changes (HiGHS's ranging on the same linear form the backends solve)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from solvers.errors import UnsupportedProblemError
from solvers.expressions import ProblemClass

if TYPE_CHECKING:
    from solvers.formulation import Model

Range = tuple[float | None, float | None]


@dataclass(frozen=True)
class Ranging:
    """Allowable ranges at an LP optimum (None: no limit on that side).

    Attributes:
        objective: variable label -> the interval its objective coefficient may take while
            the optimal solution stays the same (in the model's own sense).
        rhs: constraint row label -> the interval its right-hand side may take while its dual
            stays valid (the right-hand side of the row as ``terms sense constant``, constants
            moved right).
        rhs_now: constraint row label -> that right-hand side now.
    """

    objective: dict[str, Range] = field(default_factory=dict)
    rhs: dict[str, Range] = field(default_factory=dict)
    rhs_now: dict[str, float] = field(default_factory=dict)


def _finite(value: float) -> float | None:
    return None if math.isinf(value) or abs(value) >= 1e20 else float(value) + 0.0


def lp_ranging(model: Model, binding_rows: list[str] | None = None) -> Ranging:
    """Solve ``model`` with HiGHS and read its ranging.

    Args:
        model: a compiled LP.
        binding_rows: labels of the rows to range (default: every row).

    Raises:
        UnsupportedProblemError: not an LP, or HiGHS found no optimum to range.
    """
    if model.problem_class is not ProblemClass.LP:
        raise UnsupportedProblemError(f"ranging is for LPs; this model is {model.problem_class}")
    import highspy
    import numpy as np

    # The backends import this package: import them late.
    from solvers.backends import linear_form, silence_highs_banner

    silence_highs_banner()

    form = linear_form(model)
    n, m = len(model.variables), len(form.rows)
    inf = highspy.kHighsInf
    sign = 1.0 if model.sense == "minimize" else -1.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    cost = np.zeros(n)
    for j, c in form.objective.items():
        cost[j] = sign * c
    lp.col_cost_ = cost
    lp.col_lower_ = np.array([-inf if v.lower is None else v.lower for v in model.variables])
    lp.col_upper_ = np.array([inf if v.upper is None else v.upper for v in model.variables])
    lp.row_lower_ = np.array([-inf if r.sense == "<=" else r.rhs for r in form.rows])
    lp.row_upper_ = np.array([inf if r.sense == ">=" else r.rhs for r in form.rows])
    starts, index, values = [0], [], []
    for row in form.rows:
        for j, c in sorted(row.coefs.items()):
            index.append(j)
            values.append(c)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values, dtype=float)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise UnsupportedProblemError("HiGHS found no optimum to range")
    status, ranging = highs.getRanging()
    if status != highspy.HighsStatus.kOk:
        raise UnsupportedProblemError("HiGHS could not range this LP")
    objective: dict[str, Range] = {}
    for j, var in enumerate(model.variables):
        low, high = ranging.col_cost_dn.value_[j], ranging.col_cost_up.value_[j]
        if sign < 0:
            low, high = -high, -low
        objective[var.label] = (_finite(low), _finite(high))
    wanted = set(binding_rows) if binding_rows is not None else None
    rhs: dict[str, Range] = {}
    now: dict[str, float] = {}
    for i, model_row in enumerate(model.rows):
        if wanted is not None and model_row.label not in wanted:
            continue
        rhs[model_row.label] = (
            _finite(ranging.row_bound_dn.value_[i]),
            _finite(ranging.row_bound_up.value_[i]),
        )
        now[model_row.label] = form.rows[i].rhs + 0.0
    return Ranging(objective=objective, rhs=rhs, rhs_now=now)
