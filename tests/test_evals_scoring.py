"""Scoring modes on either side of their sources' exact thresholds, failure reasons, and the
prediction record.

Each mode reproduces a published evaluator (quoted in ``evals/scoring/_tolerance.py``); the
cases sit just inside and just outside that evaluator's comparison, with rounding cases,
no-optimum labels and labels written as strings with units.
"""

from __future__ import annotations

import json

import pytest

from agent.errors import ConfigError
from agent.formulate import solve
from agent.llm import LLM, ScriptedFakeBackend
from evals.datasets import EvalItem, Gold, parse_label
from evals.scoring import (
    FAILURES,
    SCORING_MODES,
    ItemScore,
    Prediction,
    choose_mode,
    label_decimals,
    llmopt_match,
    mamo_match,
    optibench_match,
    orlm_match,
    score_item,
    strict_match,
)


def _item(gold: Gold) -> EvalItem:
    return EvalItem(id="1", question="q", gold=gold)


def _score(label: str, predicted: float | None, mode: str, status: str = "optimal") -> ItemScore:
    """Score against a label written as ``label`` in the file (a string, as MAMO writes it)."""
    return score_item(_item(parse_label(label)), Prediction(status, predicted), mode)


def test_modes_and_failures_are_the_documented_ones() -> None:
    assert SCORING_MODES == ("mamo", "orlm", "optibench", "llmopt", "strict")
    assert FAILURES == (
        "truncated",
        "parse_error",
        "invalid_formulation",
        "solver_error",
        "timeout",
        "agent_error",
        "infeasible",
        "unbounded",
        "wrong_value",
        "missing_value",
        "no_answer",
    )


# MAMO: abs(pred*10**d - label*10**d) < 1 with d = max(2, decimals written), or
# abs((pred - label) / label) <= 1e-4 (a zero label: abs(pred - label) * 1e-4 <= 1e-4).
@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        ("57.0", 57.0099, True),  # 0.99 hundredths
        ("57.0", 57.0101, False),  # 1.01 hundredths, relative 1.8e-4
        ("10000.0", 10001.0, True),  # relative 1e-4 exactly
        ("10000.0", 10001.01, False),
        ("2.125", 2.1259, True),  # three decimals written: thousandths count
        ("2.125", 2.1261, False),  # 1.1 thousandths; the old 0.01 rule said yes
        ("0", 1.0, True),  # zero label: dif * 1e-4 <= 1e-4
        ("0", 1.0001, False),
        ("-500.0", -500.0499, True),  # relative just under 1e-4, negative label
        ("-500.0", -500.0501, False),
        ("$1,500.00", 1500.0099, True),  # currency and commas: two decimals
        ("1500 dollars", 1500.149, True),  # a unit after the number: relative < 1e-4
        ("1500 dollars", 1500.16, False),
    ],
)
def test_mamo_boundaries(label: str, predicted: float, ok: bool) -> None:
    value = parse_label(label).objective
    assert value is not None
    assert mamo_match(predicted, value, label) is ok
    assert _score(label, predicted, "mamo").correct is ok


def test_mamo_reads_the_decimals_written_in_the_label() -> None:
    assert [label_decimals(t) for t in ("57", "57.0", "2.125", "$1,500.00", "18 kg")] == [
        0,
        1,
        3,
        2,
        0,
    ]


# ORLM: round(float(gt)) and round(float(pred)) (half to even), then
# abs((pred - gt) / gt) <= 0.05, or abs(pred) <= 0.05 for gt == 0.
@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        ("100", 105.0, True),  # 5% exactly
        ("100", 105.49, True),  # rounds to 105
        ("100", 105.5, False),  # rounds half to even: 106
        ("100", 94.51, True),  # rounds to 95
        ("100", 94.5, False),  # rounds half to even: 94
        ("0", 0.5, True),  # round(0.5) == 0
        ("0", 0.51, False),  # rounds to 1
        ("2.5", 2.0, True),  # the label rounds too: round(2.5) == 2
        ("17 units", 17.4, True),
        ("17 units", 18.0, False),  # 1/17 = 5.9%
    ],
)
def test_orlm_boundaries(label: str, predicted: float, ok: bool) -> None:
    value = parse_label(label).objective
    assert value is not None
    assert orlm_match(predicted, value) is ok
    assert _score(label, predicted, "orlm").correct is ok


# OptiBench: abs(llm_ans - gt_ans) < 1e-4 on every named value, the answer stated to 5 decimals.
@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        ("50.0", 50.00009, True),
        ("50.0", 50.0001, False),  # 1e-4 is not < 1e-4
        ("50.0", 50.000094, True),  # states 50.00009
        ("50.0", 50.000096, False),  # states 50.0001
        ("0.0", -0.00009, True),
        ("0.0", -0.0001, False),
        ("1,500.0", 1500.00005, True),
    ],
)
def test_optibench_boundaries(label: str, predicted: float, ok: bool) -> None:
    value = parse_label(label).objective
    assert value is not None
    assert optibench_match(predicted, value) is ok
    assert _score(label, predicted, "optibench").correct is ok


# LLMOPT: labels rounded to two decimals, so the answer is too: round(pred, 2) == round(gt, 2).
@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        ("1160", 1160.004, True),
        ("1160", 1160.006, False),
        ("33.33", 33.333333, True),
        ("33.33", 33.336, False),
        ("-2.5", -2.504, True),
        ("-2.5", -2.51, False),
    ],
)
def test_llmopt_boundaries(label: str, predicted: float, ok: bool) -> None:
    value = parse_label(label).objective
    assert value is not None
    assert llmopt_match(predicted, value) is ok
    assert _score(label, predicted, "llmopt").correct is ok


@pytest.mark.parametrize(
    ("label", "predicted", "ok"),
    [
        ("1000000", 1e6 + 1.0, True),  # relative 1e-6 exactly
        ("1000000", 1e6 + 1.5, False),
        ("0.5", 0.5 + 9e-7, True),  # absolute 1e-6 below magnitude 1
        ("0.5", 0.5 + 2e-6, False),
        ("1000", 1000.1, False),  # MAMO would accept this
    ],
)
def test_strict_boundaries(label: str, predicted: float, ok: bool) -> None:
    value = parse_label(label).objective
    assert value is not None
    assert strict_match(predicted, value) is ok
    assert _score(label, predicted, "strict").correct is ok


def _optibench_item() -> EvalItem:
    results = {
        "The total profit": "1500.0",
        "The number of chairs": "50.0",
        "The number of tables": "0.0",
    }
    named = {k: float(v) for k, v in results.items()}
    return _item(Gold(named=named, raw=results))


ALL_RIGHT = {"The total profit": 1500.0, "The number of chairs": 50.0, "The number of tables": 0.0}


@pytest.mark.parametrize("mode", SCORING_MODES)
def test_named_values_are_all_compared(mode: str) -> None:
    item = _optibench_item()
    assert score_item(item, Prediction("optimal", 1500.0, ALL_RIGHT), mode).correct
    one_off = {**ALL_RIGHT, "The number of chairs": 60.0}
    score = score_item(item, Prediction("optimal", 1500.0, one_off), mode)
    assert (score.correct, score.failure) == (False, "wrong_value")
    assert "wrong value 'The number of chairs': answer 60, label 50" in score.detail


def test_a_solved_answer_without_a_named_value_is_missing_value_naming_it() -> None:
    item = _optibench_item()
    missing = {k: v for k, v in ALL_RIGHT.items() if k != "The number of chairs"}
    score = score_item(item, Prediction("optimal", 1500.0, missing), "optibench")
    assert (score.correct, score.failure) == (False, "missing_value")
    assert "'The number of chairs'" in score.detail
    nothing = score_item(item, Prediction("optimal", 1500.0, {}), "optibench")
    assert nothing.failure == "missing_value"


def test_the_objective_stands_for_the_name_the_formulation_maps_to_it() -> None:
    item = _optibench_item()
    quantities = {"The number of chairs": 50.0, "The number of tables": 0.00004}
    mapped = Prediction("optimal", 1500.0, quantities, objective_name="The total profit")
    assert score_item(item, mapped, "optibench").correct
    unmapped = Prediction("optimal", 1500.0, quantities)
    assert score_item(item, unmapped, "optibench").failure == "missing_value"


def test_optibench_mode_without_named_values_uses_the_objective() -> None:
    assert _score("120", 120.00001, "optibench").correct
    assert not _score("120", 120.001, "optibench").correct


@pytest.mark.parametrize("mode", SCORING_MODES)
@pytest.mark.parametrize("label", ["No Best Solution", "infeasible", "unbounded"])
def test_no_optimum_labels(mode: str, label: str) -> None:
    item = _item(parse_label(label))
    status = item.gold.status
    other = "unbounded" if status == "infeasible" else "infeasible"
    assert score_item(item, Prediction(status), mode).correct
    # ORLM prints "No Best Solution" for any non-optimal status: either claim matches, and so
    # does a solve that ended without an optimum for another reason (a time limit).
    assert score_item(item, Prediction(other), mode).correct is (mode == "orlm")
    ended = Prediction("not_solved", error="the solver returned status time_limit")
    assert score_item(item, ended, mode).correct is (mode == "orlm")
    assert score_item(item, Prediction("optimal", 17.0), mode).failure == "wrong_value"
    assert score_item(item, Prediction("parse_error", error="no JSON"), mode).failure == (
        "parse_error"
    )
    assert score_item(item, Prediction("not_run"), mode).failure == "no_answer"


@pytest.mark.parametrize(
    ("prediction", "failure"),
    [
        (Prediction("infeasible", error="the model is infeasible"), "infeasible"),
        (Prediction("unbounded"), "unbounded"),
        (Prediction("truncated", error="cut off at 1024 tokens"), "truncated"),
        (Prediction("parse_error", error="no JSON object"), "parse_error"),
        (Prediction("formulation_error", error="unknown set 'J'"), "invalid_formulation"),
        (Prediction("solver_error", error="SCIP could not take the model"), "solver_error"),
        (Prediction("not_solved", error="the solver returned status time_limit"), "timeout"),
        (Prediction("timeout", error="item ran past 60 s"), "timeout"),
        (Prediction("error", error="LLMError: connection refused"), "agent_error"),
        (Prediction("not_run"), "no_answer"),
        (Prediction("optimal", None), "missing_value"),
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
        _score("1", 1.0, "loose")


@pytest.mark.parametrize(
    ("fmt", "metas", "mode", "guessed"),
    [
        ("optibench", [], "optibench", False),
        ("mamo", [], "mamo", False),
        ("orlm", [], "orlm", False),
        ("jsonl", [{"ori": "5_nl4opt_test"}], "llmopt", False),
        ("jsonl", [{}], "llmopt", True),
        ("nlp4lp", [], "llmopt", True),
    ],
)
def test_default_mode_is_the_sources_and_a_guess_says_so(fmt, metas, mode, guessed) -> None:
    choice = choose_mode(fmt, metas)
    assert (choice.mode, choice.guessed) == (mode, guessed)
    assert choice.reason
    if guessed:
        assert "cannot be told" in choice.reason or "publishes no" in choice.reason
        assert "--mode" in choice.reason
    assert choose_mode(fmt, metas, given="strict").mode == "strict"


def test_records_round_trip_through_json() -> None:
    prediction = Prediction("optimal", 3.5, {"a": 1.0, "b": None}, "", objective_name="a")
    assert Prediction.from_dict(json.loads(json.dumps(prediction.to_dict()))) == prediction
    score = _score("1", 2.0, "strict")
    assert ItemScore.from_dict(json.loads(json.dumps(score.to_dict()))) == score


def test_prediction_from_agent_answer_with_named_results() -> None:
    reply = json.dumps(
        {
            "variables": [{"name": "x", "upper": 4}, {"name": "y", "upper": 1}],
            "objective": {"sense": "maximize", "expression": "3*x + y"},
            "report": [
                {"name": "The amount of x", "expression": "x"},
                {"name": "Total value", "expression": "objective"},
            ],
        }
    )
    answer = solve(
        "Maximise 3x + y with x at most 4 and y at most 1.",
        model=LLM(ScriptedFakeBackend([reply])),
        quantities=["The amount of x", "Total value", "x", "missing"],
    )
    prediction = Prediction.from_answer(answer)
    assert prediction == Prediction(
        "optimal",
        13.0,
        {"The amount of x": 4.0, "Total value": 13.0, "x": 4.0, "missing": None},
        objective_name="Total value",
    )
    assert score_item(_item(Gold(objective=13.0)), prediction, "strict").correct


def test_prediction_from_failed_agent_answer_keeps_the_error() -> None:
    answer = solve("Maximise x.", model=LLM(ScriptedFakeBackend(["no json here"])), max_rounds=1)
    prediction = Prediction.from_answer(answer)
    assert prediction.objective is None
    assert prediction.status == "parse_error"
    assert prediction.error
    assert score_item(_item(Gold(objective=1.0)), prediction, "mamo").failure == "parse_error"
