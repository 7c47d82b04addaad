"""Eval reports: figures by category and failure, side by side; the oracle check through the
harness with the oracle fake backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.report import charts, compare, comparison_markdown, markdown, summarize
from tests._shared_data import shared_data


def _rec(i: str, cat: str, correct: bool, failure: str | None = None, **kw: Any) -> dict:
    base = {"id": i, "category": cat, "correct": correct, "failure": failure, "seconds": 1.0,
            "calls": 2, "tokens": 100, "cost_usd": 0.0, "score": {"detail": f"d{i}"}}  # fmt: skip
    return {**base, **kw}


CONFIG = {"name": "a", "mode": "mamo", "model": "local", "items": ["1", "2", "3", "4"]}


def test_summary_figures() -> None:
    records = [
        _rec("1", "LP", True),
        _rec("2", "LP", False, "wrong_value", seconds=3.0),
        _rec("3", "MILP", False, "timeout", calls=0, tokens=0),
        _rec("4", "MILP", False, "execution_error"),
    ]
    s = summarize(CONFIG, records)
    assert s["accuracy"] == 0.25 and s["correct"] == 1 and s["complete"]
    assert s["execution_rate"] == 0.5  # timeouts and execution errors ran nothing
    assert s["by_category"]["LP"] == {"items": 2, "correct": 1, "accuracy": 0.5}
    assert s["failures"] == {"wrong_value": 1, "timeout": 1, "execution_error": 1}
    assert s["calls_per_item"] == 1.5 and s["tokens_per_item"] == 75
    assert s["seconds"]["max"] == 3.0
    text = markdown(s)
    assert "| accuracy | 25.0% (1/4) |" in text and "| MILP | 2 | 0 | 0.0% |" in text
    assert "| 3 | timeout | d3 |" in text


def test_side_by_side_lists_flips_on_common_items() -> None:
    a = [_rec("1", "LP", True), _rec("2", "LP", False, "wrong_value"), _rec("3", "LP", True)]
    b = [_rec("1", "LP", False, "no_answer"), _rec("2", "LP", True), _rec("9", "LP", True)]
    cmp = compare((CONFIG, a), ({**CONFIG, "name": "b"}, b))
    assert cmp["common"] == 2 and cmp["fixed"] == ["2"] and cmp["broken"] == ["1"]
    assert cmp["accuracy_a"] == cmp["accuracy_b"] == 0.5
    assert cmp["only_a"] == ["3"] and cmp["only_b"] == ["9"]
    assert "wrong in a, right in b (1): 2" in comparison_markdown(cmp)


def test_charts_are_png(tmp_path: Path) -> None:
    s = summarize(CONFIG, [_rec("1", "LP", True), _rec("2", "MILP", False, "wrong_value")])
    files = charts(s, tmp_path)
    assert [f.name for f in files] == ["accuracy_by_category.png", "outcomes.png"]
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files)


def test_oracle_check_through_the_harness(tmp_path: Path) -> None:
    """The 15 hand formulations of MAMO EasyLP items, answered by the oracle fake through the
    whole runner (process workers), agree with the labels exactly as judgements.json says."""
    from evals.datasets import load_items
    from evals.oracle import MAMO_EASY_LP, load_judgements
    from evals.runner import AgentSettings, run_eval, select_items

    items = load_items(shared_data("mamo", "mamo_easy_lp.jsonl"))
    chosen = select_items(items, sample=15, seed=0)
    result = run_eval(
        chosen,
        out=tmp_path / "oracle",
        settings=AgentSettings(f"oracle:{MAMO_EASY_LP}"),
        mode="mamo",
        executor="process",
        workers=2,
    )
    judged = {j["id"]: j["agree"] for j in load_judgements()["items"]}
    assert {r["id"]: r["correct"] for r in result.records} == judged
    assert all(r["prediction"]["status"] == "optimal" for r in result.records)
