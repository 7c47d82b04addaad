"""Named results end to end: a scripted backend answering OptiBench-shaped items with correct
formulations scores every item correct, through the whole runner; a value perturbed beyond
the tolerance scores "wrong value" naming the quantity.

The scripted backend is the oracle fake (``oracle:PATH``): it replies to each question with a
formulation written in advance, so everything after the model runs for real.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evals.datasets import load_items
from evals.runner import AgentSettings, run_eval
from evals.synthetic import TEMPLATES, generate, write_jsonl
from tests._shared_data import shared_data

# Hand formulations of the three invented items of the shared optibench.json fixture; each
# reports the fixture's result names exactly, the objective among them.
FIXTURE_FORMULATIONS: list[dict[str, Any]] = [
    {
        "variables": [{"name": "chairs"}, {"name": "tables"}],
        "objective": {"sense": "maximize", "expression": "30*chairs + 50*tables"},
        "constraints": [
            {"name": "labor", "expression": "2*chairs + 4*tables <= 100"},
            {"name": "table_sales", "expression": "tables <= 20"},
        ],
        "report": [
            {"name": "The maximum profit", "expression": "objective"},
            {"name": "The number of chairs", "expression": "chairs"},
            {"name": "The number of tables", "expression": "tables"},
        ],
    },
    {
        "variables": [{"name": "a"}, {"name": "b"}],
        "objective": {"sense": "minimize", "expression": "2*a + 3*b"},
        "constraints": [
            {"name": "protein", "expression": "4*a + 2*b >= 20"},
            {"name": "fiber", "expression": "a + 3*b >= 15"},
        ],
        "report": [
            {"name": "The minimum cost", "expression": "objective"},
            {"name": "Kilograms of feed A", "expression": "a"},
            {"name": "Kilograms of feed B", "expression": "b"},
        ],
    },
    {
        "variables": [{"name": "length"}, {"name": "width"}],
        "objective": {"sense": "maximize", "expression": "length*width"},
        "constraints": [{"name": "fence", "expression": "2*length + 2*width <= 40"}],
        "report": [
            {"name": "The maximum area", "expression": "objective"},
            {"name": "The length", "expression": "length"},
            {"name": "The width", "expression": "width"},
        ],
    },
]


def _oracle(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(items: list, data: Path, oracle: Path, out: Path) -> list[dict[str, Any]]:
    result = run_eval(
        items,
        out=out,
        settings=AgentSettings(f"oracle:{oracle}", max_rounds=1),
        mode="optibench",
        dataset=str(data),
        workers=2,
    )
    assert result.status == "finished"
    return result.records


def test_every_fixture_item_scores_correct(tmp_path: Path) -> None:
    data = shared_data("formats", "optibench.json")
    items = load_items(data)
    rows = [
        {"question": item.question, "formulation": formulation}
        for item, formulation in zip(items, FIXTURE_FORMULATIONS, strict=True)
    ]
    records = _run(items, data, _oracle(tmp_path / "oracle.jsonl", rows), tmp_path / "run")
    assert sorted((r["id"], r["correct"], r["failure"]) for r in records) == [
        (item.id, True, None) for item in items
    ], [r["score"]["detail"] for r in records]
    assert all(r["prediction"]["objective_name"].startswith("The m") for r in records)


@pytest.mark.parametrize(
    ("shift", "correct", "failure"),
    [("0.00009", True, None), ("0.0002", False, "wrong_value")],
)
def test_one_value_perturbed_either_side_of_the_tolerance(
    tmp_path: Path, shift: str, correct: bool, failure: str | None
) -> None:
    data = shared_data("formats", "optibench.json")
    item = load_items(data)[0]
    formulation = json.loads(json.dumps(FIXTURE_FORMULATIONS[0]))
    formulation["report"][1]["expression"] = f"chairs + {shift}"
    oracle = _oracle(
        tmp_path / "oracle.jsonl", [{"question": item.question, "formulation": formulation}]
    )
    (record,) = _run([item], data, oracle, tmp_path / "run")
    assert (record["correct"], record["failure"]) == (correct, failure)
    if not correct:
        detail = record["score"]["detail"]
        assert "wrong value 'The number of chairs': answer 50.0002, label 50" in detail


def test_a_generated_optibench_set_of_240_items_scores_correct(tmp_path: Path) -> None:
    rows = generate(240, seed=11)
    data = write_jsonl(rows, tmp_path / "synthetic.jsonl")
    items = load_items(data)
    assert Counter(r["template"] for r in rows) == {t: 40 for t in TEMPLATES}
    names = [name for item in items for name in item.quantities]
    assert len(names) >= 3 * len(items) - 2 * 40  # the objective and variable values
    oracle = _oracle(
        tmp_path / "oracle.jsonl",
        [{"question": r["question"], "formulation": r["formulation"]} for r in rows],
    )
    records = _run(items, data, oracle, tmp_path / "run")
    wrong = [(r["id"], r["score"]["detail"]) for r in records if not r["correct"]]
    assert not wrong
    assert len(records) == 240


def test_the_prompt_carries_the_quantity_names_and_never_their_values() -> None:
    from agent.formulate import solve
    from agent.llm import LLM, ScriptedFakeBackend
    from evals.scoring import Prediction, score_item

    item = load_items(shared_data("formats", "optibench.json"))[0]
    backend = ScriptedFakeBackend([json.dumps(FIXTURE_FORMULATIONS[0])])
    answer = solve(item.question, model=LLM(backend), quantities=item.quantities)
    (request, _), *_ = backend.requests
    prompt = "\n".join(m.content for m in request.messages)
    for name in item.quantities:
        assert f"- {name}\n" in prompt
    assert "1500" not in prompt  # the label's objective value appears nowhere
    assert answer.objective_name == "The maximum profit"
    assert score_item(item, Prediction.from_answer(answer), "optibench").correct
