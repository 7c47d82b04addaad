"""The synthetic generator: deterministic, solvable, OptiBench-shaped (phrase-named results),
and read back by the loader."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.formulate import solve as agent_solve
from agent.formulate._schema import MAX_ITEMS
from agent.llm import LLM, ScriptedFakeBackend
from evals.datasets import detect_format, load_items
from evals.scoring import Prediction, score_item
from evals.synthetic import TEMPLATES, generate, write_jsonl
from solvers import SolveStatus, solve
from solvers.formulation import compile_formulation, load_formulation


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate(12, seed=7)


def test_templates_are_the_six_named() -> None:
    assert TEMPLATES == (
        "production_mix",
        "diet",
        "transport",
        "assignment",
        "knapsack",
        "scheduling",
    )


def test_same_seed_same_rows_other_seed_other_rows(rows: list[dict]) -> None:
    assert generate(12, seed=7) == rows
    assert generate(12, seed=8) != rows
    assert [r["template"] for r in rows] == list(TEMPLATES) * 2
    assert [r["index"] for r in rows] == list(range(12))


def test_stored_answer_equals_a_fresh_solve_of_the_stored_formulation(rows: list[dict]) -> None:
    for row in rows:
        solution = solve(row["formulation"])
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.objective == pytest.approx(row["answer"], rel=1e-9, abs=1e-9)
        assert row["type"] == ("LP" if solution.problem_class.value == "LP" else "MILP")
        assert abs(row["answer"]) > 0  # degenerate instances are drawn again


def test_text_states_the_data_and_hides_the_answer(rows: list[dict]) -> None:
    for row in rows:
        text = row["question"]
        assert "{{" not in text and "{%" not in text
        for parameter in row["formulation"]["parameters"]:
            if parameter["name"] in ("capacity", "supply", "demand", "need", "max_sales"):
                for value in parameter["value"]:
                    assert str(value) in text


def test_rows_are_optibench_shaped_with_phrase_named_results(rows: list[dict]) -> None:
    for row in rows:
        results = row["results"]
        report = row["formulation"]["report"]
        assert list(results) == [entry["name"] for entry in report]
        assert report[0]["expression"] == "objective"  # the objective, named first
        assert float(results[report[0]["name"]]) == pytest.approx(row["answer"], abs=1e-6)
        assert len(results) >= 2  # the objective and at least one variable value
        for name, value in results.items():
            assert not re.search(r"\b(max|min)", name, re.IGNORECASE), name
            assert " " in name  # a phrase, not an identifier
            assert isinstance(value, str) and float(value) == float(value)
            assert name in row["question"]  # the question asks for it by name


def test_written_file_loads_as_optibench_with_gold_formulations(
    rows: list[dict], tmp_path: Path
) -> None:
    path = write_jsonl(rows, tmp_path / "out" / "synthetic.jsonl")
    assert detect_format(path) == "optibench"
    items = load_items(path)
    assert [i.id for i in items] == [str(r["index"]) for r in rows]
    assert [i.category for i in items] == [r["type"] for r in rows]
    for item, row in zip(items, rows, strict=True):
        assert item.gold.objective is None and list(item.gold.named) == list(row["results"])
        assert item.quantities == list(row["results"])
        assert item.gold.formulation == row["formulation"]
        assert item.meta == {"answer": row["answer"], "template": row["template"], "size": "small"}
        replay = solve(dict(item.gold.formulation))
        prediction = Prediction(replay.status.value, replay.objective, replay.reported)
        assert score_item(item, prediction, "optibench").correct
    assert json.loads(path.read_text().splitlines()[0])["question"] == rows[0]["question"]


def test_scripted_replay_through_the_agent_scores_correct(rows: list[dict], tmp_path: Path) -> None:
    items = load_items(write_jsonl(rows[:6], tmp_path / "s.jsonl"))
    for item in items:
        assert item.gold.formulation is not None
        reply = json.dumps(dict(item.gold.formulation))
        answer = agent_solve(
            item.question, model=LLM(ScriptedFakeBackend([reply])), quantities=item.quantities
        )
        score = score_item(item, Prediction.from_answer(answer), "optibench")
        assert score.correct, (item.id, score.detail)


def _longest_list(node: object) -> int:
    if isinstance(node, list):
        return max([len(node), *(_longest_list(x) for x in node)])
    if isinstance(node, dict):
        return max([0, *(_longest_list(x) for x in node.values())])
    return 0


@pytest.mark.parametrize(
    ("template", "binaries"), [("assignment", 240), ("knapsack", 72), ("scheduling", 0)]
)
def test_large_instances_replay_through_the_agent(template: str, binaries: int) -> None:
    (row,) = generate(1, seed=0, templates=[template], size="large")
    assert (row["type"], row["size"]) == ("MILP", "large")
    model = compile_formulation(load_formulation(row["formulation"]))
    assert sum(v.type == "binary" for v in model.variables) == binaries
    assert len(model.variables) >= 72
    # every list fits the agent's bounded schema, so a scripted backend can replay it
    assert _longest_list(row["formulation"]) <= MAX_ITEMS
    reply = json.dumps(row["formulation"])
    answer = agent_solve(row["question"], model=LLM(ScriptedFakeBackend([reply])))
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(row["answer"], rel=1e-9)


def test_template_subset_and_bad_arguments() -> None:
    rows = generate(3, seed=1, templates=["knapsack"])
    assert {r["template"] for r in rows} == {"knapsack"}
    assert generate(0, seed=1) == []
    with pytest.raises(ConfigError, match="unknown synthetic template"):
        generate(1, seed=1, templates=["sudoku"])
    with pytest.raises(ConfigError, match="unknown size"):
        generate(1, seed=1, size="huge")
    with pytest.raises(ConfigError, match="at least 0"):
        generate(-1, seed=1)
