"""Example turns for the greeting, built from the loaded model's own names and numbers."""

from __future__ import annotations

from agent.chat._explain import fmt
from agent.chat._targets import edit_targets
from solvers import Solution
from solvers.formulation import Formulation


def greeting_examples(formulation: Formulation, solution: Solution | None) -> list[str]:
    """A few turns that work on ``formulation``: a what-if on its first changeable numbers,
    a why about a variable, removing and adding a constraint."""
    out: list[str] = []
    targets = [t for t in edit_targets(formulation) if t.kind != "bound"]
    for target in targets[:2]:
        new = (target.current or 0.0) + 1.0
        out.append(f'"what if {target.key} is {fmt(new)}?" (now {fmt(target.current or 0.0)})')
    if solution is not None and solution.values:
        zero = [k for k, v in solution.values.items() if abs(v) <= 1e-9]
        label = zero[0] if zero else next(iter(solution.values))
        value = fmt(solution.values[label])
        out.append(f'"why is {label} {"zero" if zero else value}?"')
    else:
        out.append(f'"why is {formulation.variables[0].name} what it is?" (after solving)')
    if formulation.constraints:
        out.append(f'"remove {formulation.constraints[-1].name}"')
    scalars = [v.name for v in formulation.variables if not v.index]
    if len(scalars) >= 2:
        out.append(f'"add constraint {scalars[0]} + {scalars[1]} <= 10"')
    elif scalars:
        out.append(f'"add constraint {scalars[0]} <= 10"')
    return out
