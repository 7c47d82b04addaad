"""Explanations computed from a solution: binding constraints, slacks, duals, reduced costs.

Nothing here asks a model; a model may only rephrase these lines afterwards.
"""

from __future__ import annotations

from solvers import Solution, SolveStatus
from solvers.formulation import Formulation

ZERO = 1e-9


def _num(value: float) -> str:
    return f"{value:.6g}"


def subject_labels(text: str, solution: Solution) -> list[str]:
    """Variable labels a question names: an exact label (``x[1]``) or a variable name (all
    of its entries), in the solution's order."""
    words = set(_words(text))
    exact = [label for label in solution.values if label in text]
    if exact:
        return exact
    return [label for label in solution.values if label.split("[", 1)[0] in words]


def _words(text: str) -> list[str]:
    out, word = [], []
    for ch in text:
        if ch.isalnum() or ch == "_":
            word.append(ch)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def explain_solution(
    formulation: Formulation, solution: Solution, *, subjects: list[str] | None = None
) -> list[str]:
    """Facts about why the optimum is what it is, one sentence each.

    Args:
        formulation: the formulation that was solved (for the sense and bounds).
        solution: its solution.
        subjects: variable labels the user asked about (``subject_labels``).

    Returns:
        Lines: the outcome, each subject's value with its bound and reduced cost, the binding
        constraints with their duals, the constraints with slack.
    """
    sense = formulation.objective.sense
    if solution.status is not SolveStatus.OPTIMAL:
        lines = [f"the last solve ended {solution.status.value}, so there is no optimum to explain"]
        if solution.message:
            lines.append(solution.message)
        return lines
    lines = [f"the optimum {sense}s the objective at {_num(solution.objective or 0.0)}"]
    sens = solution.sensitivity
    bounds = {v.name: (v.lower, v.upper) for v in formulation.variables}
    for label in subjects or []:
        value = solution.values[label]
        lower, upper = bounds.get(label.split("[", 1)[0], (None, None))
        where = ""
        if lower is not None and abs(value - lower) <= ZERO:
            where = f", at its lower bound {_num(lower)}"
        elif upper is not None and abs(value - upper) <= ZERO:
            where = f", at its upper bound {_num(upper)}"
        line = f"{label} = {_num(value)}{where}"
        cost = sens.reduced_costs.get(label) if sens is not None else None
        if cost is not None and abs(cost) > ZERO:
            line += (
                f"; its reduced cost is {_num(cost)}: each unit of {label} forced further from "
                f"that bound would make the objective worse by {_num(abs(cost))}"
            )
        elif cost is not None and where:
            line += "; its reduced cost is 0: other optima may use it (the optimum is not unique)"
        elif cost is not None:
            line += "; it is between its bounds (a basic variable), set by the binding constraints"
        lines.append(line)
    if sens is None:
        lines.append(
            f"no duals: sensitivity is computed for LPs only, and this is a "
            f"{solution.problem_class.value}; the values above are exact, the 'why' is not"
        )
        return lines
    binding = [r for r in sens.rows if r.binding]
    loose = [r for r in sens.rows if not r.binding]
    if binding:
        lines.append("binding constraints (they hold with equality and limit the optimum):")
        for row in binding:
            if abs(row.dual) > ZERO:
                lines.append(
                    f"  {row.label}: dual {_num(row.dual)}, so one more unit of its right-hand "
                    f"side changes the objective by {_num(row.dual)}"
                )
            else:
                lines.append(f"  {row.label}: dual 0 (binding, but a small change costs nothing)")
    else:
        lines.append("no constraint binds: the variable bounds alone fix the optimum")
    if loose:
        lines.append("constraints with slack (they do not limit the optimum now):")
        for row in loose:
            lines.append(f"  {row.label}: slack {_num(row.slack)}")
    return lines
