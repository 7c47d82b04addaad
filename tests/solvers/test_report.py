"""Named results (``Formulation.report``): checked at compile time, evaluated at the solution."""

from __future__ import annotations

import pytest

from solvers import FormulationError, Solution, compile_formulation, load_formulation, solve

BASE = {
    "sets": [{"name": "P", "elements": ["chairs", "tables"]}],
    "parameters": [
        {"name": "profit", "index": ["P"], "value": [30, 50]},
        {"name": "hours", "index": ["P"], "value": [2, 4]},
    ],
    "variables": [{"name": "make", "index": ["P"]}],
    "objective": {"sense": "maximize", "expression": "sum(profit[p]*make[p] for p in P)"},
    "constraints": [
        {"name": "labor", "expression": "sum(hours[p]*make[p] for p in P) <= 100"},
        {"name": "tables_cap", "expression": "make['tables'] <= 20"},
    ],
}


def test_reported_values_are_evaluated_at_the_solution_under_their_phrases() -> None:
    formulation = {
        **BASE,
        "report": [
            {"name": "The number of chairs", "expression": "make['chairs']"},
            {"name": "The number of tables", "expression": "make['tables']"},
            {"name": "The total profit", "expression": "objective"},
            {"name": "Labor hours used", "expression": "sum(hours[p]*make[p] for p in P)"},
        ],
    }
    solution = solve(formulation)
    assert solution.reported == {
        "The number of chairs": 50.0,
        "The number of tables": 0.0,
        "The total profit": 1500.0,
        "Labor hours used": 100.0,
    }
    again = Solution.from_dict(solution.to_dict())
    assert again.reported == solution.reported


def test_report_defaults_to_empty_and_solutions_then_report_nothing() -> None:
    assert load_formulation(BASE).report == []
    assert solve(BASE).reported == {}


@pytest.mark.parametrize(
    ("report", "message"),
    [
        (
            [{"name": "Chairs", "expression": "chairs"}],
            "report 'Chairs': unknown symbol 'chairs'",
        ),
        (
            [{"name": "Chairs", "expression": "make"}],
            "report 'Chairs': variable 'make' is indexed over (P)",
        ),
        (
            [{"name": "x", "expression": "objective"}, {"name": "x", "expression": "objective"}],
            "report 'x': duplicate report name",
        ),
        ([{"name": " ", "expression": "objective"}], "report: field 'name': name is empty"),
    ],
)
def test_a_bad_report_entry_is_a_formulation_error_naming_it(report, message) -> None:
    with pytest.raises(FormulationError) as caught:
        compile_formulation(load_formulation({**BASE, "report": report}))
    assert message in str(caught.value)


def test_an_unknown_report_field_is_refused_by_name() -> None:
    with pytest.raises(FormulationError, match="report 'a': field 'value': unknown field"):
        load_formulation({**BASE, "report": [{"name": "a", "expression": "objective", "value": 1}]})
