"""Eval reports: figures by category and failure, side by side; the oracle check through the
harness with the oracle fake backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.errors import ConfigError
from evals.report import (
    chart_labels,
    charts,
    compare,
    comparison_markdown,
    markdown,
    summarize,
)
from tests._shared_data import shared_data

_STATUS = {None: "optimal", "wrong_value": "optimal", "missing_value": "optimal",
           "timeout": "timeout", "parse_error": "parse_error", "no_answer": "not_run",
           "infeasible": "infeasible"}  # fmt: skip


def _rec(i: str, cat: str, correct: bool, failure: str | None = None, **kw: Any) -> dict:
    base = {"id": i, "category": cat, "correct": correct, "failure": failure, "seconds": 1.0,
            "calls": 2, "tokens": 100, "cost_usd": 0.0, "score": {"detail": f"d{i}"},
            "prediction": {"status": _STATUS[failure]}}  # fmt: skip
    return {**base, **kw}


CONFIG = {"name": "a", "mode": "mamo", "model": "local", "items": ["1", "2", "3", "4"],
          "dataset": "/data/d.jsonl", "dataset_fingerprint": "sha256:aaaa"}  # fmt: skip


def test_summary_figures() -> None:
    records = [
        _rec("1", "LP", True),
        _rec("2", "LP", False, "wrong_value", seconds=3.0),
        _rec("3", "MILP", False, "timeout", calls=0, tokens=0),
        _rec("4", "MILP", False, "parse_error"),
    ]
    s = summarize(CONFIG, records)
    assert s["accuracy"] == 0.25 and s["correct"] == 1 and s["complete"]
    assert s["execution_rate"] == 0.5  # the two solved items; the timeout and parse error not
    assert s["by_category"]["LP"] == {"items": 2, "correct": 1, "accuracy": 0.5}
    assert s["failures"] == {"wrong_value": 1, "timeout": 1, "parse_error": 1}
    assert s["calls_per_item"] == 1.5 and s["tokens_per_item"] == 75
    assert s["seconds"]["max"] == 3.0
    text = markdown(s)
    assert "| accuracy | 25.0% (1/4) |" in text and "| MILP | 2 | 0 | 0.0% |" in text
    assert "| 3 | timeout | d3 |" in text


def test_execution_rate_counts_solved_items_even_with_missing_named_values() -> None:
    records = [
        _rec("1", "LP", False, "missing_value"),
        _rec("2", "LP", False, "infeasible"),
        _rec("3", "LP", False, "no_answer"),
        _rec("4", "LP", True),
    ]
    assert summarize(CONFIG, records)["execution_rate"] == 0.75


def test_side_by_side_lists_flips_on_common_items() -> None:
    a = [_rec("1", "LP", True), _rec("2", "LP", False, "wrong_value"), _rec("3", "LP", True)]
    b = [_rec("1", "LP", False, "no_answer"), _rec("2", "LP", True), _rec("9", "LP", True)]
    cmp = compare((CONFIG, a), ({**CONFIG, "name": "b"}, b))
    assert cmp["common"] == 2 and cmp["fixed"] == ["2"] and cmp["broken"] == ["1"]
    assert cmp["accuracy_a"] == cmp["accuracy_b"] == 0.5
    assert cmp["only_a"] == ["3"] and cmp["only_b"] == ["9"]
    assert "wrong in a, right in b (1): 2" in comparison_markdown(cmp)
    assert cmp["warnings"] == [] and "Not comparable" not in comparison_markdown(cmp)


def test_runs_over_different_datasets_or_modes_are_refused_unless_forced() -> None:
    a = [_rec("1", "LP", True)]
    other_data = {**CONFIG, "name": "b", "dataset": "/data/e.jsonl", "dataset_fingerprint": "x"}
    with pytest.raises(ConfigError) as err:
        compare((CONFIG, a), (other_data, a))
    message = str(err.value)
    assert "refusing to compare: the runs are over different datasets" in message
    assert "/data/d.jsonl" in message and "/data/e.jsonl" in message and "--force" in message
    with pytest.raises(ConfigError, match="scored in different modes: a 'mamo', b 'orlm'"):
        compare((CONFIG, a), ({**CONFIG, "name": "b", "mode": "orlm"}, a))
    with pytest.raises(ConfigError, match="run b has no dataset fingerprint"):
        compare((CONFIG, a), ({"name": "b", "mode": "mamo"}, a))
    forced = compare((CONFIG, a), (other_data, a), force=True)
    assert forced["warnings"] and "over different datasets" in forced["warnings"][0]
    assert "**Not comparable (compared with --force)**" in comparison_markdown(forced)


def test_same_content_elsewhere_is_the_same_dataset(tmp_path: Path) -> None:
    from evals.datasets import file_fingerprint

    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    one.write_text('{"question": "q", "answer": 1}\n')
    two.write_text('{"question": "q", "answer": 1}\n')
    assert file_fingerprint(one) == file_fingerprint(two)
    two.write_text('{"question": "q", "answer": 2}\n')
    assert file_fingerprint(one) != file_fingerprint(two)


def test_an_interrupted_run_says_so_with_its_usage() -> None:
    state = {"status": "interrupted", "reason": "interrupted (Ctrl-C) after 1 of 4 items"}
    usage = {"calls": 7, "total_tokens": 900, "cost_usd": 0.0}
    s = summarize(CONFIG, [_rec("1", "LP", True)], state=state, usage=usage)
    text = markdown(s)
    assert "**This run was interrupted**: interrupted (Ctrl-C) after 1 of 4 items" in text
    assert "Usage so far: 7 LLM calls, 900 tokens" in text
    assert "This run was" not in markdown(summarize(CONFIG, [_rec("1", "LP", True)]))


def test_charts_are_png(tmp_path: Path) -> None:
    s = summarize(CONFIG, [_rec("1", "LP", True), _rec("2", "MILP", False, "wrong_value")])
    files = charts(s, tmp_path)
    assert [f.name for f in files] == ["accuracy_by_category.png", "outcomes.png"]
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files)


def test_zero_values_are_labelled_on_the_charts(tmp_path: Path) -> None:
    s = summarize(CONFIG, [_rec("1", "LP", False, "parse_error"), _rec("2", "MILP", False)])
    assert chart_labels(s) == {
        "accuracy_by_category": ["0.0%", "0.0%"],
        "outcomes": ["0", "1"],
    }
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in charts(s, tmp_path))


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
