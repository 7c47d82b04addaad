"""Scoring modes on their boundary values, failure reasons, and the prediction record."""

from __future__ import annotations

import json

import pytest

from agent.errors import ConfigError
from agent.formulate import solve
from agent.llm import LLM, ScriptedFakeBackend
from evals.datasets import EvalItem, Gold
from evals.scoring import (
    FAILURES,
    SCORING_MODES,
    ItemScore,
    Prediction,
    mamo_match,
    orlm_match,
    score_item,
    strict_match,
)


def _item(gold: Gold) -> EvalItem:
    return EvalItem(id="1", question="q", gold=gold)


def _score(label: float, predicted: float | None, mode: str, status: str = "optimal") -> ItemScore:
    return score_item(_item(Gold(objective=label)), Prediction(status, predicted), mode)


def test_modes_are_the_documented_four() -> None:
    assert SCORING_MODES == ("mamo", "orlm", "strict", "optibench")
    assert FAILURES == ("no_answer", "execution_error", "infeasible", "unbounded", "wrong_value")


@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        (1000.0, 1000.1, True),  # relative 1e-4 exactly (on paper; not in binary)
        (10000.0, 10001.0, True),
        (10000.0, 10001.01, False),
        (1.0, 1.0099, True),  # absolute below 0.01
        (1.0, 1.0101, False),
        (0.0, 0.0099, True),
        (0.0, 0.01, False),  # absolute must be strictly below 0.01
        (-500.0, -500.05, True),
    ],
)
def test_mamo_boundaries(label: float, predicted: float, ok: bool) -> None:
    assert mamo_match(predicted, label) is ok
    assert _score(label, predicted, "mamo").correct is ok


@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        (100.0, 105.0, True),  # 5% exactly
        (100.0, 105.01, False),
        (100.0, 95.0, True),
        (100.0, 94.99, False),
        (0.0, 0.004, True),  # rounds to 0.00
        (0.0, 0.006, False),  # rounds to 0.01
        (26.0, 27.3, True),
    ],
)
def test_orlm_boundaries(label: float, predicted: float, ok: bool) -> None:
    assert orlm_match(predicted, label) is ok
    assert _score(label, predicted, "orlm").correct is ok


@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        (1e6, 1e6 + 1.0, True),  # relative 1e-6 exactly
        (1e6, 1e6 + 1.5, False),
        (0.5, 0.5 + 9e-7, True),  # absolute 1e-6 below magnitude 1
        (0.5, 0.5 + 2e-6, False),
        (1000.0, 1000.1, False),  # MAMO would accept this
    ],
)
def test_strict_boundaries(label: float, predicted: float, ok: bool) -> None:
    assert strict_match(predicted, label) is ok
    assert _score(label, predicted, "strict").correct is ok


def _optibench_item() -> EvalItem:
    named = {
        "The maximum profit": 1500.0,
        "The number of chairs": 50.0,
        "The number of tables": 0.0,
    }
    return _item(Gold(objective=1500.0, named=named, objective_name="The maximum profit"))


def test_optibench_needs_every_named_value() -> None:
    item = _optibench_item()
    all_right = {
        "The maximum profit": 1500.0,
        "The number of chairs": 50.0,
        "The number of tables": 0.0,
    }
    assert score_item(item, Prediction("optimal", 1500.0, all_right), "optibench").correct
    one_off = {**all_right, "The number of tables": 1.0}
    score = score_item(item, Prediction("optimal", 1500.0, one_off), "optibench")
    assert (score.correct, score.failure) == (False, "wrong_value")
    assert "The number of tables" in score.detail
    missing = {k: v for k, v in all_right.items() if k != "The number of chairs"}
    score = score_item(item, Prediction("optimal", 1500.0, missing), "optibench")
    assert score.failure == "wrong_value" and "none" in score.detail
    # objective modes compare the objective only
    assert score_item(item, Prediction("optimal", 1500.0, one_off), "mamo").correct


def test_optibench_objective_stands_for_the_named_objective() -> None:
    item = _optibench_item()
    quantities = {"The number of chairs": 50.0, "The number of tables": 0.004}
    assert score_item(item, Prediction("optimal", 1500.0, quantities), "optibench").correct


def test_named_only_label_in_objective_mode_compares_named_values() -> None:
    item = _item(Gold(named={"x": 2.0, "y": 3.0}))
    assert score_item(item, Prediction("optimal", None, {"x": 2.0, "y": 3.0}), "strict").correct
    assert not score_item(item, Prediction("optimal", None, {"x": 2.0, "y": 3.1}), "strict").correct


def test_optibench_mode_without_named_values_uses_the_objective() -> None:
    assert _score(120.0, 120.001, "optibench").correct
    assert not _score(120.0, 121.0, "optibench").correct


@pytest.mark.parametrize("mode", SCORING_MODES)
def test_infeasible_label_matches_infeasible_answer(mode: str) -> None:
    item = _item(Gold(status="infeasible", raw="No Best Solution"))
    assert score_item(item, Prediction("infeasible"), mode) == ItemScore(
        True, None, "label and answer both say infeasible"
    )
    assert score_item(item, Prediction("optimal", 17.0), mode).failure == "wrong_value"
    assert score_item(item, Prediction("unbounded"), mode).failure == "unbounded"
    assert score_item(item, Prediction("parse_error", error="no JSON"), mode).failure == (
        "execution_error"
    )
    assert score_item(item, Prediction("not_run"), mode).failure == "no_answer"


@pytest.mark.parametrize(
    ("prediction", "failure"),
    [
        (Prediction("infeasible", error="the model is infeasible"), "infeasible"),
        (Prediction("unbounded"), "unbounded"),
        (Prediction("formulation_error", error="unknown set 'J'"), "execution_error"),
        (Prediction("solver_error"), "execution_error"),
        (Prediction("timeout", error="item ran past 60 s"), "execution_error"),
        (Prediction("not_run"), "no_answer"),
        (Prediction("optimal", None), "no_answer"),
        (Prediction("not_verified", 99.0), "wrong_value"),
    ],
)
def test_failure_reasons(prediction: Prediction, failure: str) -> None:
    score = score_item(_item(Gold(objective=120.0)), prediction, "mamo")
    assert (score.correct, score.failure) == (False, failure)
    assert score.detail


def test_unverified_answer_with_the_right_value_counts() -> None:
    assert score_item(_item(Gold(objective=5.0)), Prediction("not_verified", 5.0), "mamo").correct


def test_unknown_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown scoring mode 'loose'"):
        _score(1.0, 1.0, "loose")


def test_records_round_trip_through_json() -> None:
    prediction = Prediction("optimal", 3.5, {"a": 1.0, "b": None}, "")
    assert Prediction.from_dict(json.loads(json.dumps(prediction.to_dict()))) == prediction
    score = _score(1.0, 2.0, "strict")
    assert ItemScore.from_dict(json.loads(json.dumps(score.to_dict()))) == score


def test_prediction_from_agent_answer() -> None:
    reply = (
        '{"variables": [{"name": "x", "upper": 4}, {"name": "y", "index": [], "upper": 1}],'
        ' "objective": {"sense": "maximize", "expression": "3*x + y"}}'
    )
    answer = solve(
        "Maximise 3x + y with x at most 4 and y at most 1.",
        model=LLM(ScriptedFakeBackend([reply])),
        quantities=["objective", "x", "missing"],
    )
    prediction = Prediction.from_answer(answer)
    assert prediction == Prediction("optimal", 13.0, {"objective": 13.0, "x": 4.0, "missing": None})
    assert score_item(_item(Gold(objective=13.0)), prediction, "strict").correct


def test_prediction_from_failed_agent_answer_keeps_the_error() -> None:
    answer = solve("Maximise x.", model=LLM(ScriptedFakeBackend(["no json here"])), max_rounds=1)
    prediction = Prediction.from_answer(answer)
    assert prediction.objective is None
    assert prediction.status == "parse_error"
    assert prediction.error
    assert score_item(_item(Gold(objective=1.0)), prediction, "mamo").failure == "execution_error"
