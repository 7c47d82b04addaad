"""Every number in a why-answer comes from the solve it explains.

For each model (the shipped examples and the chat suite's formulations), each variable and
each constraint row asked about, and the infeasible and unbounded examples, the rendered
explanation's numbers are checked against numbers read straight from the solver's data:
objective, values, reduced costs, duals, slacks, bounds, HiGHS ranging and the diagnosis.
"""

from __future__ import annotations

import json
import re

import pytest

from agent.chat import explain_solution, numbers_in, rephrasing_ok
from agent.chat._explain import fmt
from solvers import compile_formulation, load_formulation, solve_and_check
from solvers.formulation import formulation_from_dict
from solvers.sensitivity import lp_ranging
from tests._cli import ROOT

EXAMPLES = ROOT / "solvers" / "examples"
SUITE = json.loads((ROOT / "evals" / "bench" / "chat_suite.json").read_text(encoding="utf-8"))
MODELS = [
    *(EXAMPLES / f"{name}.json" for name in ("lp_product_mix", "lp_production_planning")),
    *(EXAMPLES / f"{name}.json" for name in ("lp_diet", "lp_transportation", "milp_knapsack")),
    *(f"suite:{name}" for name in SUITE["formulations"]),
]
NO_OPTIMUM = ["inf_capacity_demand", "inf_indexed_production", "unb_simple", "unb_indexed"]


def _load(source):
    if isinstance(source, str) and source.startswith("suite:"):
        return formulation_from_dict(SUITE["formulations"][source.removeprefix("suite:")])
    return load_formulation(source)


def solver_numbers(formulation, checked) -> set[str]:
    """Every number the solve itself gives, formatted as explanations write numbers, plus the
    numbers inside names (``x[1]``, ``t=3``)."""
    solution = checked.solution
    raw: list[float] = []
    labels: list[str] = list(solution.values)
    if solution.objective is not None:
        raw.append(solution.objective)
    raw += list(solution.values.values())
    for var in formulation.variables:
        raw += [b for b in (var.lower, var.upper) if b is not None]
    sens = solution.sensitivity
    if sens is not None:
        raw += list(sens.reduced_costs.values()) + [abs(c) for c in sens.reduced_costs.values()]
        raw += [r.dual for r in sens.rows] + [r.slack for r in sens.rows]
        labels += [r.label for r in sens.rows]
        ranging = lp_ranging(compile_formulation(formulation))
        for low, high in ranging.objective.values():
            raw += [v for v in (low, high) if v is not None]
        for label, (low, high) in ranging.rhs.items():
            now = ranging.rhs_now[label]
            raw += [now - low] if low is not None else []
            raw += [high - now] if high is not None else []
    if checked.diagnosis is not None:
        detail = checked.diagnosis.to_dict().get("detail", {})
        raw += [r["violation"] for r in detail.get("violated", [])]
        raw += [detail[k] for k in ("total_violation", "rate") if k in detail]
        labels += [r["label"] for r in detail.get("conflict", []) + detail.get("violated", [])]
        labels += list(detail.get("variables", []))
    allowed = {fmt(v) for v in raw} | {fmt(max(v, 0.0)) for v in raw}
    for label in labels:
        allowed.update(numbers_in(label.replace(",", " ").replace("=", " ")))
    return allowed


def _numbers_outside_names(line: str, names: list[str]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        line = line.replace(name, " ")
    return numbers_in(line)


@pytest.mark.parametrize("source", MODELS, ids=str)
def test_every_number_of_an_optimum_explanation_is_the_solvers(source) -> None:
    formulation = _load(source)
    checked = solve_and_check(formulation)
    solution = checked.solution
    allowed = solver_numbers(formulation, checked)
    rows = [r.label for r in solution.sensitivity.rows] if solution.sensitivity else []
    names = list(solution.values) + rows
    asked = [([label], []) for label in solution.values] + [([], [row]) for row in rows]
    for subjects, asked_rows in [([], []), *asked]:
        lines = explain_solution(formulation, solution, subjects=subjects, rows=asked_rows)
        for line in lines:
            foreign = [n for n in _numbers_outside_names(line, names) if n not in allowed]
            assert not foreign, f"{source}: {line!r} has {foreign}, not in the solve's data"
        assert lines[0] == f"the optimum {formulation.objective.sense}s the objective at " + fmt(
            solution.objective
        )
        for label in subjects:
            assert any(
                line.startswith(f"{label} = {fmt(solution.values[label])}") for line in lines
            )


@pytest.mark.parametrize("name", NO_OPTIMUM)
def test_every_number_of_a_diagnosis_explanation_is_the_solvers(name) -> None:
    formulation = load_formulation(EXAMPLES / f"{name}.json")
    checked = solve_and_check(formulation)
    assert checked.diagnosis is not None
    lines = explain_solution(formulation, checked.solution, diagnosis=checked.diagnosis.to_dict())
    allowed = solver_numbers(formulation, checked)
    detail = checked.diagnosis.to_dict()["detail"]
    names = [r["label"] for r in detail.get("conflict", []) + detail.get("violated", [])]
    names += list(detail.get("variables", []))
    for line in lines:
        foreign = [n for n in _numbers_outside_names(line, names) if n not in allowed]
        assert not foreign, f"{name}: {line!r} has {foreign}"
    text = "\n".join(lines)
    if detail["kind"] == "infeasible":
        assert all(c in text for c in checked.diagnosis.detail.constraints)
        assert f"is {fmt(detail['total_violation'])}:" in text
    else:
        assert all(v in text for v in detail["variables"])


def test_ranges_agree_with_resolving_at_their_ends() -> None:
    """An allowable range is where the dual holds: re-solving with the right-hand side moved
    inside it changes the objective by dual * change (checked on the workshop model)."""
    formulation = _load("suite:workshop")
    solution = solve_and_check(formulation).solution
    ranging = lp_ranging(compile_formulation(formulation))
    plant2 = next(r for r in solution.sensitivity.rows if r.label == "plant2")
    low, high = ranging.rhs["plant2"]
    assert (low, high) == (6.0, 18.0)  # the textbook range of Wyndor's plant 2
    for rhs in (low + 1, high - 1):
        moved = formulation.model_copy(
            update={
                "constraints": [
                    c.model_copy(update={"expression": f"2*windows <= {rhs:g}"})
                    if c.name == "plant2"
                    else c
                    for c in formulation.constraints
                ]
            }
        )
        objective = solve_and_check(moved).solution.objective
        assert objective == pytest.approx(solution.objective + plant2.dual * (rhs - 12))


def test_a_rephrasing_with_a_foreign_number_or_name_is_dropped() -> None:
    formulation = _load("suite:workshop")
    solution = solve_and_check(formulation).solution
    lines = explain_solution(formulation, solution, subjects=["doors"])
    names = ["doors", "windows", "plant1", "plant2", "plant3"]
    assert rephrasing_ok("Doors are 2 and the profit is 36.", lines, names)
    assert not rephrasing_ok("The optimum maximizes the objective at 2 doors and 37.", lines, names)
    assert rephrasing_ok("plant2 and plant3 are full; plant1 has slack 2.", lines, names)
    # a name of the model that the lines do not mention is refused, even without numbers
    assert not rephrasing_ok("It all depends on windows.", lines[:1], names)
    assert re.search(r"doors = 2", "\n".join(lines))
