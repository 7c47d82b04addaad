"""The formulation agent with scripted model replies (ScriptedFakeBackend): correction from the
solvers' verbatim errors, voting, the answer and the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent.errors import ConfigError
from agent.formulate import Ballot, bounded_formulation_schema, solve, vote
from agent.llm import LLM, Request, ScriptedFakeBackend
from solvers.backends import SolveStatus
from solvers.diagnosis import diagnose
from solvers.formulation import compile_formulation, load_formulation


def _mix(objective: str = "3*doors + 5*windows", plant1: str = "doors <= 4") -> dict[str, Any]:
    return {
        "variables": [{"name": "doors"}, {"name": "windows"}],
        "objective": {"sense": "maximize", "expression": objective},
        "constraints": [
            {"name": "plant1", "expression": plant1},
            {"name": "plant2", "expression": "2*windows <= 12"},
            {"name": "plant3", "expression": "3*doors + 2*windows <= 18"},
        ],
    }


def _feedback(request: Request) -> str:
    """The agent's own feedback message (the last user message before any schema note)."""
    users = [m.content for m in request.messages if m.role == "user"]
    return users[1]


def test_unknown_symbol_is_fed_back_verbatim_and_the_run_ends_optimal() -> None:
    bad = _mix(objective="3*doors + 5*windowz")
    with pytest.raises(Exception) as caught:
        compile_formulation(load_formulation(bad))
    exact = str(caught.value)
    assert "unknown symbol 'windowz'" in exact
    backend = ScriptedFakeBackend([json.dumps(bad), json.dumps(_mix())])
    answer = solve("Wyndor glass", model=LLM(backend), max_rounds=3)
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(36.0)
    assert len(backend.requests) == 2
    assert exact in _feedback(backend.requests[1][0])
    rounds = answer.chains[0]["rounds"]
    assert [r["status"] for r in rounds] == ["formulation_error", "optimal"]
    assert rounds[0]["error"] == exact
    assert rounds[1]["objective"] == pytest.approx(36.0)
    assert answer.rounds_used == 2
    json.dumps(answer.to_dict())


def test_infeasible_first_formulation_gets_the_elastic_diagnosis() -> None:
    bad = _mix(plant1="doors >= 7")
    exact = diagnose(bad, status=SolveStatus.INFEASIBLE).message
    assert "plant" in exact
    backend = ScriptedFakeBackend([json.dumps(bad), json.dumps(_mix())])
    answer = solve("Wyndor glass", model=LLM(backend), max_rounds=2)
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(36.0)
    assert exact in _feedback(backend.requests[1][0])
    assert [r["status"] for r in answer.chains[0]["rounds"]] == ["infeasible", "optimal"]


def test_out_of_rounds_reports_the_last_failure() -> None:
    bad = _mix(objective="3*doors + 5*windowz")
    backend = ScriptedFakeBackend([json.dumps(bad)])
    answer = solve("Wyndor glass", model=LLM(backend), max_rounds=2)
    assert answer.status == "formulation_error"
    assert answer.objective is None
    assert len(answer.chains[0]["rounds"]) == 2
    assert "unknown symbol 'windowz'" in answer.explanation


def test_unparseable_reply_is_fed_back() -> None:
    backend = ScriptedFakeBackend(["no json here", "still none", json.dumps(_mix())])
    answer = solve("Wyndor glass", model=LLM(backend), max_rounds=2)
    assert answer.status == "optimal"
    first = answer.chains[0]["rounds"][0]
    assert first["status"] == "parse_error"
    assert "no valid JSON object" in first["error"]


def test_vote_of_five_returns_the_majority_and_records_all_five() -> None:
    good = json.dumps(_mix())
    infeasible = json.dumps(_mix(plant1="doors >= 7"))
    wrong = json.dumps(_mix(objective="3*doors + 4*windows"))
    backend = ScriptedFakeBackend([wrong, good, infeasible, good, good])
    answer = solve("Wyndor glass", model=LLM(backend), votes=5, max_rounds=1)
    assert answer.objective == pytest.approx(36.0)
    assert answer.status == "optimal"
    assert len(answer.chains) == 5
    assert [c["status"] for c in answer.chains] == [
        "optimal",
        "optimal",
        "infeasible",
        "optimal",
        "optimal",
    ]
    assert answer.chains[0]["objective"] == pytest.approx(30.0)
    assert answer.vote["winners"] == [1, 3, 4]
    assert sorted(map(len, answer.vote["clusters"])) == [1, 3]
    assert "3 of 5 independent formulations agree" in answer.explanation
    first_request = backend.requests[0][0]
    assert first_request.n == 5 and first_request.temperature > 0


def test_vote_is_tolerance_aware_and_ties_go_to_verified() -> None:
    result = vote(
        [
            Ballot(0, 10.0, False),
            Ballot(1, 10.0 + 1e-9, False),
            Ballot(2, 7.0, True),
            Ballot(3, 7.0 * (1 + 1e-8), True),
            Ballot(4, None, False),
        ]
    )
    assert result.objective == pytest.approx(7.0)
    assert result.winners == [2, 3]
    assert vote([]).objective is None


def test_answer_has_values_binding_duals_quantities_and_run_record(tmp_path: Path) -> None:
    backend = ScriptedFakeBackend([json.dumps(_mix())])
    answer = solve(
        "Wyndor glass",
        model=LLM(backend),
        quantities=["doors", "objective", "missing"],
        run_dir=tmp_path / "run",
    )
    assert answer.values == {"doors": pytest.approx(2.0), "windows": pytest.approx(6.0)}
    assert answer.binding == ["plant2", "plant3"]
    assert answer.quantities == {"doors": pytest.approx(2.0), "objective": 36.0, "missing": None}
    assert "shadow price 1.5" in answer.explanation and "plant1 (slack 2)" in answer.explanation
    saved = json.loads((tmp_path / "run" / "answer.json").read_text())
    assert saved["problem"] == "Wyndor glass" and saved["objective"] == pytest.approx(36.0)


def test_bad_options_are_config_errors() -> None:
    llm = LLM(ScriptedFakeBackend(["{}"]))
    for kwargs in ({"votes": 0}, {"max_rounds": 0}):
        with pytest.raises(ConfigError):
            solve("x", model=llm, **kwargs)
    with pytest.raises(ConfigError):
        solve("  ", model=llm)


def test_bounded_schema_bounds_every_string_and_array() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and "enum" not in node:
                assert "maxLength" in node
            if node.get("type") == "array":
                assert "maxItems" in node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bounded_formulation_schema())


def test_budget_stop_keeps_the_finished_rounds() -> None:
    from agent.llm import Budget, UsageMeter

    bad = json.dumps(_mix(objective="3*doors + 5*windowz"))
    llm = LLM(ScriptedFakeBackend([bad, json.dumps(_mix())]), usage=UsageMeter(Budget(1)))
    answer = solve("Wyndor glass", model=llm, max_rounds=3)
    assert answer.stopped.startswith("budget reached: calls")
    assert answer.status == "formulation_error"
    assert len(answer.chains[0]["rounds"]) == 1


def _diet(*rows: str) -> dict[str, Any]:
    """Minimize the cost of two foods; the rows given are its only constraints."""
    return {
        "variables": [{"name": "oats"}, {"name": "milk"}],
        "objective": {"sense": "minimize", "expression": "2*oats + 3*milk"},
        "constraints": [{"name": f"c{i}", "expression": e} for i, e in enumerate(rows)],
    }


def test_an_all_zero_optimum_is_doubted_and_sampled_again() -> None:
    lost = _diet("oats + milk <= 10")  # the minimum requirement was lost: buy nothing, pay 0
    backend = ScriptedFakeBackend([json.dumps(lost), json.dumps(_diet("oats + milk >= 4"))])
    answer = solve("A diet of oats and milk", model=LLM(backend), max_rounds=3)
    assert answer.objective == pytest.approx(8.0)
    assert len(backend.requests) == 2  # the second, non-zero optimum is not doubted
    feedback = _feedback(backend.requests[1][0])
    assert "doubtful optimum" in feedback and "a requirement" in feedback
    assert [r["objective"] for r in answer.chains[0]["rounds"]] == [0.0, pytest.approx(8.0)]
    assert "Doubtful" not in answer.explanation


def test_a_doubted_optimum_stays_the_answer_when_nothing_better_comes() -> None:
    lost = _diet("oats + milk <= 10")
    broken = _diet("oats + milk <= 10", "oats >= 20")  # infeasible
    backend = ScriptedFakeBackend([json.dumps(lost), json.dumps(broken)])
    answer = solve("A diet of oats and milk", model=LLM(backend), max_rounds=2)
    assert [r["status"] for r in answer.chains[0]["rounds"]] == ["optimal", "infeasible"]
    assert answer.status == "optimal" and answer.objective == 0.0
    assert "Doubtful: every variable and the objective are 0" in answer.explanation
    one = solve("A diet", model=LLM(ScriptedFakeBackend([json.dumps(lost)])), max_rounds=1)
    assert one.objective == 0.0 and "Doubtful" in one.explanation


def test_only_an_all_zero_optimum_is_doubted() -> None:
    from agent.formulate._check import check_formulation

    assert check_formulation(load_formulation(_diet("oats + milk <= 10"))).suspect
    assert not check_formulation(load_formulation(_diet("oats + milk >= 4"))).suspect
    shifted = _diet("oats + milk <= 10") | {
        "objective": {"sense": "minimize", "expression": "2*oats + 3*milk + 5"}
    }
    assert not check_formulation(load_formulation(shifted)).suspect  # objective 5, not 0
    assert not check_formulation(load_formulation(_diet("oats >= 20", "oats <= 1"))).suspect
