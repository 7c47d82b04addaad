"""Every shipped example solves to its expected status and optimum, re-checked independently."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import optimize

from solvers import (
    ProblemClass,
    SolveStatus,
    compile_formulation,
    diagnose,
    linear_form,
    solve,
    verify,
)
from solvers.examples import example_names, load_example
from solvers.expressions import Evaluator, parse_constraint, parse_expression
from solvers.formulation import build_table, constraint_bindings, variable_label

NAMES = example_names()


def _close(a: float, b: float, rel: float = 1e-5) -> bool:
    return abs(a - b) <= rel * (1.0 + abs(b))


def _brute_force(formulation) -> float:
    """Enumerate every integer point; feasibility and objective come from `verify`."""
    model = compile_formulation(formulation)
    ranges = []
    for v in model.variables:
        assert v.is_integer and v.lower is not None and v.upper is not None, v.label
        ranges.append(range(int(v.lower), int(v.upper) + 1))
    best = None
    for point in itertools.product(*ranges):
        values = {v.label: float(x) for v, x in zip(model.variables, point, strict=True)}
        report = verify(formulation, values)
        if report.ok:
            better = best is None or (
                report.objective < best if model.sense == "minimize" else report.objective > best
            )
            if better:
                best = report.objective
    assert best is not None
    return best


def _second_linear(formulation) -> float:
    """scipy.optimize.linprog (LP) or scipy.optimize.milp (MILP) on the same coefficients."""
    model = compile_formulation(formulation)
    arrays = linear_form(model).arrays()
    form = linear_form(model)
    if model.problem_class is ProblemClass.LP:
        result = optimize.linprog(
            arrays["c"],
            A_ub=arrays["A_ub"],
            b_ub=arrays["b_ub"],
            A_eq=arrays["A_eq"],
            b_eq=arrays["b_eq"],
            bounds=arrays["bounds"],
            method="highs-ipm",
        )
    else:
        constraints = []
        if arrays["A_ub"] is not None:
            constraints.append(optimize.LinearConstraint(arrays["A_ub"], -np.inf, arrays["b_ub"]))
        if arrays["A_eq"] is not None:
            constraints.append(
                optimize.LinearConstraint(arrays["A_eq"], arrays["b_eq"], arrays["b_eq"])
            )
        lower = [-np.inf if lo is None else lo for lo, _ in arrays["bounds"]]
        upper = [np.inf if hi is None else hi for _, hi in arrays["bounds"]]
        result = optimize.milp(
            arrays["c"],
            constraints=constraints,
            integrality=arrays["integrality"],
            bounds=optimize.Bounds(lower, upper),
        )
    assert result.success, result.message
    return arrays["sign"] * result.fun + form.objective_constant


def _second_nlp(formulation) -> float:
    """scipy trust-constr on functions that evaluate the expression strings numerically."""
    table = build_table(formulation)
    model = compile_formulation(formulation)
    labels = [v.label for v in model.variables]

    def evaluator(x: np.ndarray) -> Evaluator:
        values = dict(zip(labels, x, strict=True))
        return Evaluator(table, lambda n, k: values[variable_label(n, k)], symbolic=False)

    objective_tree = parse_expression(formulation.objective.expression)
    sign = 1.0 if formulation.objective.sense == "minimize" else -1.0
    rows = []
    for constraint in formulation.constraints:
        rows.extend(
            (env, parse_constraint(constraint.expression))
            for env, _ in constraint_bindings(constraint, evaluator(np.zeros(len(labels))))
        )

    def residuals(x: np.ndarray) -> np.ndarray:
        ev = evaluator(x)
        return np.array([ev.value(c.lhs, env) - ev.value(c.rhs, env) for env, c in rows])

    lower = np.array([-np.inf if c.sense == "<=" else 0.0 for _, c in rows])
    upper = np.array([np.inf if c.sense == ">=" else 0.0 for _, c in rows])
    bounds = optimize.Bounds(
        [-np.inf if v.lower is None else v.lower for v in model.variables],
        [np.inf if v.upper is None else v.upper for v in model.variables],
    )
    x0 = np.full(len(labels), 1.0 / len(labels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = optimize.minimize(
            lambda x: sign * evaluator(x).value(objective_tree, {}),
            x0,
            method="trust-constr",
            bounds=bounds,
            constraints=[optimize.NonlinearConstraint(residuals, lower, upper)],
            options={"gtol": 1e-10, "xtol": 1e-12, "maxiter": 3000},
        )
    assert residuals(result.x).size == 0 or np.all(residuals(result.x) >= lower - 1e-6)
    return sign * result.fun


@pytest.mark.parametrize("name", NAMES)
def test_example_solves_to_its_checked_optimum(name: str) -> None:
    example = load_example(name)
    check = example.check
    assert check["method"] in ("hand", "brute_force", "second_solver")
    assert check["note"]
    solution = solve(example.formulation, time_limit=30)
    assert solution.status.value == check["expected_status"], solution.message
    if solution.status is not SolveStatus.OPTIMAL:
        return
    expected = check["expected_objective"]
    assert _close(solution.objective, expected), (solution.objective, expected)
    report = verify(example.formulation, solution)
    assert report.ok, [v.message for v in report.violations]
    assert _close(report.objective, solution.objective, rel=1e-6)
    if check["method"] == "brute_force":
        assert _close(_brute_force(example.formulation), expected)
    elif check["method"] == "second_solver":
        if solution.problem_class is ProblemClass.NLP:
            assert _close(_second_nlp(example.formulation), expected, rel=1e-4)
        else:
            assert _close(_second_linear(example.formulation), expected)


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("inf_")])
def test_elastic_relaxation_names_the_conflicting_pair(name: str) -> None:
    example = load_example(name)
    diagnosis = diagnose(example.formulation)
    assert diagnosis.status is SolveStatus.INFEASIBLE
    detail = diagnosis.detail
    assert detail.irreducible
    assert sorted(detail.constraints) == sorted(example.check["expected_conflict"])
    assert {row.constraint for row in detail.violated} <= set(detail.constraints)
    assert detail.total_violation > 0
    for constraint in example.check["expected_conflict"]:
        assert constraint in diagnosis.message


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("unb_")])
def test_unbounded_models_get_an_improving_ray(name: str) -> None:
    example = load_example(name)
    diagnosis = diagnose(example.formulation)
    assert diagnosis.status is SolveStatus.UNBOUNDED
    ray = diagnosis.detail
    assert set(example.check["expected_ray"]) <= set(ray.direction)
    improving = ray.rate < 0 if example.formulation.objective.sense == "minimize" else ray.rate > 0
    assert improving


def test_example_collection_covers_the_required_classes() -> None:
    counts: dict[str, int] = {
        "LP": 0,
        "MILP": 0,
        "NLP": 0,
        "MINLP": 0,
        "infeasible": 0,
        "unbounded": 0,
    }
    two_dimensional = 0
    methods = set()
    for name in NAMES:
        example = load_example(name)
        methods.add(example.check["method"])
        status = example.check["expected_status"]
        model = compile_formulation(example.formulation)
        key = model.problem_class.value if status == "optimal" else status
        counts[key] += 1
        if any(len(v.index) == 2 for v in example.formulation.variables):
            two_dimensional += 1
    assert len(NAMES) >= 30
    assert counts["LP"] >= 8 and counts["MILP"] >= 8 and counts["NLP"] >= 4, counts
    assert counts["MINLP"] >= 1, counts
    assert counts["infeasible"] >= 3 and counts["unbounded"] >= 3, counts
    assert two_dimensional >= 5
    assert methods == {"hand", "brute_force", "second_solver"}


def test_nlp_check_values_are_the_closed_forms() -> None:
    assert math.isclose(load_example("nlp_circle").check["expected_objective"], math.sqrt(2))
    assert math.isclose(load_example("nlp_exp").check["expected_objective"], 2 - 2 * math.log(2))
