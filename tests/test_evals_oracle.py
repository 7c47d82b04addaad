"""The oracle formulations: all compile and solve, cover the seeded MAMO EasyLP draw, and their
agreement with the labels is exactly what judgements.json records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import DataError
from agent.formulate import solve as agent_solve
from agent.llm import LLM, ScriptedFakeBackend
from evals.datasets import load_items
from evals.oracle import MAMO_EASY_LP, load_judgements, load_oracle, oracle_sample
from evals.scoring import Prediction, score_item
from solvers import SolveStatus, solve
from tests._shared_data import shared_data


@pytest.fixture(scope="module")
def optima() -> dict[str, float]:
    out: dict[str, float] = {}
    for item_id, formulation in load_oracle().items():
        solution = solve(formulation)
        assert solution.status is SolveStatus.OPTIMAL, item_id
        assert solution.objective is not None
        out[item_id] = solution.objective
    return out


def test_every_oracle_formulation_compiles_and_solves(optima: dict[str, float]) -> None:
    assert len(optima) == 15


def test_judgements_record_each_optimum_and_every_disagreement(optima: dict[str, float]) -> None:
    judgements = load_judgements()
    entries = {e["id"]: e for e in judgements["items"]}
    assert set(entries) == set(optima)
    for item_id, entry in entries.items():
        assert entry["optimum"] == pytest.approx(optima[item_id], rel=1e-9)
        if not entry["agree"]:
            assert entry["verdict"] != "agree" and len(entry["judgement"]) > 80
    assert judgements["agree"] == sum(e["agree"] for e in entries.values())
    assert judgements["total"] == len(entries)


def test_oracle_covers_the_seeded_draw_and_agreement_matches_judgements(
    optima: dict[str, float],
) -> None:
    items = load_items(shared_data("mamo", "mamo_easy_lp.jsonl"))
    judgements = load_judgements()
    draw = judgements["draw"]
    drawn = oracle_sample(items, k=draw["k"], seed=draw["seed"])
    assert [i.id for i in drawn] == [e["id"] for e in judgements["items"]]
    mode = judgements["scoring"]
    oracle = load_oracle()
    for item, entry in zip(drawn, judgements["items"], strict=True):
        assert item.gold.objective == entry["label"]
        # the agent's own path: a scripted backend that answers with the oracle formulation
        reply = json.dumps(oracle[item.id].model_dump(mode="json"))
        answer = agent_solve(item.question, model=LLM(ScriptedFakeBackend([reply])))
        prediction = Prediction.from_answer(answer)
        assert prediction.status == "optimal"
        assert prediction.objective == pytest.approx(optima[item.id], rel=1e-9)
        score = score_item(item, prediction, mode)
        assert score.correct is entry["agree"], (item.id, score.detail)


def test_oracle_files_hold_formulations_only() -> None:
    for path in MAMO_EASY_LP.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.name == "judgements.json":
            continue
        assert set(data) <= {
            "name",
            "description",
            "sets",
            "parameters",
            "variables",
            "objective",
            "constraints",
        }


def test_sample_is_seeded_and_checked() -> None:
    items = list(range(100))
    assert oracle_sample(items, 5, 3) == oracle_sample(items, 5, 3)
    assert oracle_sample(items, 5, 3) != oracle_sample(items, 5, 4)
    with pytest.raises(DataError, match="cannot draw"):
        oracle_sample(items, 101)


def test_load_oracle_names_a_bad_file(tmp_path: Path) -> None:
    (tmp_path / "7.json").write_text('{"variables": []}', encoding="utf-8")
    with pytest.raises(DataError, match=r"7\.json"):
        load_oracle(tmp_path)
    with pytest.raises(DataError, match="not found"):
        load_oracle(tmp_path / "missing")
