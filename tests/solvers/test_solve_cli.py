"""`optagent solve --formulation`: tables, --json, exit codes and error lines."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agent.cli import app
from solvers.examples import example_path
from tests._cli import ROOT, run_cli

runner = CliRunner()


def test_solve_prints_a_verified_optimum_table() -> None:
    result = runner.invoke(app, ["solve", "--formulation", str(example_path("lp_product_mix"))])
    assert result.exit_code == 0, result.output
    assert "optimal" in result.output
    assert "36" in result.output
    assert "plant3" in result.output  # the sensitivity table
    assert "ok (3 rows checked)" in result.output


def test_an_integer_nonlinear_model_solves_with_scip_and_shows_its_named_results() -> None:
    path = str(example_path("minlp_can_design"))
    result = runner.invoke(app, ["solve", "--formulation", path])
    assert result.exit_code == 0, result.output
    assert "MINLP" in result.output and "scip" in result.output
    assert "ok (1 rows checked)" in result.output
    assert "named results" in result.output and "The radius in centimetres" in result.output
    payload = json.loads(runner.invoke(app, ["solve", "--formulation", path, "--json"]).output)
    assert payload["solution"]["reported"]["The height in centimetres"] == 6.0
    assert payload["verification"]["ok"] is True


def test_solve_json_output_is_machine_readable() -> None:
    path = example_path("milp_knapsack")
    result = runner.invoke(
        app, ["solve", "--formulation", str(path), "--json", "--time-limit", "5"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["solution"]["status"] == "optimal"
    assert payload["solution"]["objective"] == 51.0
    assert payload["verification"]["ok"] is True
    assert payload["problem_class"] == "MILP"


def test_solve_json_stdout_parses_in_a_real_process(tmp_path: Path) -> None:
    """Solver output written from C (highspy >= 1.16 prints a banner) never reaches stdout.

    CliRunner only sees Python's ``sys.stdout``; a subprocess sees file descriptor 1 too.
    An LP (with duals) and a MILP, each in a fresh process where the banner would come first.
    """
    for name in ("lp_transportation", "milp_knapsack"):
        path = ROOT / "solvers" / "examples" / f"{name}.json"
        result = run_cli("solve", "--formulation", str(path), "--json", cwd=tmp_path, timeout=120)
        assert result.returncode == 0, result.stderr
        payload = json.loads(result.stdout)
        assert payload["solution"]["status"] == "optimal"
        assert payload["verification"]["ok"] is True
        assert "HiGHS" not in result.stderr  # nothing on the terminal either


def test_infeasible_model_exits_1_with_the_conflict() -> None:
    path = example_path("inf_capacity_demand")
    result = runner.invoke(app, ["solve", "--formulation", str(path), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["diagnosis"]["detail"]["constraints"] == ["demand", "capacity"]


def test_problem_text_and_formulation_together_are_refused() -> None:
    path = str(example_path("lp_product_mix"))
    result = runner.invoke(app, ["solve", "make the cheapest diet", "--formulation", path])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_malformed_formulation_prints_one_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "sets": [{"name": "I", "elements": [1, 2]}],
                "variables": [{"name": "x", "index": ["I"]}],
                "objective": {"sense": "minimize", "expression": "sum(x[i] for i in I)"},
                "constraints": [{"name": "cap", "for_all": "i in I", "expression": "x[i] <= y"}],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["solve", "--formulation", str(bad)])
    assert result.exit_code == 2
    assert "constraint 'cap'[i=1]: unknown symbol 'y'" in result.output
    assert "Traceback" not in result.output
