"""Self-training data (``optagent tune bootstrap``): what is kept, resume, and the rows training
reads. Scripted replies stand in for the model: these tests are about selection and the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.llm import LLM, ScriptedFakeBackend
from agent.tune._bootstrap import Labelled, append, bootstrap, done_ids, training_rows
from evals.scoring._tolerance import mamo_match

BAKERY = (
    "A bakery makes bread and cakes. Each bread earns $3 and each cake earns $5. "
    "The oven runs at most 40 hours; bread takes 2 hours and a cake takes 4 hours."
)
#: Right: 3 bread + 5 cake under 2 bread + 4 cake <= 40 -> 60 (20 bread).
RIGHT = (
    "var bread cake\nmax 3 bread + 5 cake\n"
    "> The oven runs at most 40 hours; bread takes 2 hours and a cake takes 4 hours.\n"
    "2 bread + 4 cake <= 40\n"
)
#: Wrong coefficients: solves to 100.
WRONG = (
    "var bread cake\nmax 5 bread + 3 cake\n"
    "> The oven runs at most 40 hours; bread takes 2 hours and a cake takes 4 hours.\n"
    "2 bread + 4 cake <= 40\n"
)


def _llm(replies: list[str]) -> LLM:
    return LLM(ScriptedFakeBackend(replies, repeat_last=False))


def test_keeps_the_first_sample_that_solves_to_the_label() -> None:
    problem = Labelled("7", BAKERY, 60.0)
    (attempt,) = bootstrap([problem], _llm([WRONG, "not compact", RIGHT]), match=mamo_match,
                           samples=3)  # fmt: skip
    assert attempt.kept and attempt.target == RIGHT and attempt.objective == pytest.approx(60.0)
    assert attempt.statuses[0] == "optimal" and attempt.statuses[1] == "parse_error"


def test_no_sample_matching_the_label_keeps_nothing() -> None:
    (attempt,) = bootstrap([Labelled("7", BAKERY, 61.0)], _llm([RIGHT, WRONG]),
                           match=mamo_match, samples=2)  # fmt: skip
    assert not attempt.kept and attempt.target == "" and len(attempt.statuses) == 2


def test_samples_are_asked_with_the_grammar_the_adapter_and_a_temperature() -> None:
    backend = ScriptedFakeBackend([RIGHT] * 2)
    list(bootstrap([Labelled("7", BAKERY, 60.0)], LLM(backend), match=mamo_match, samples=2,
                   temperature=0.9))  # fmt: skip
    request = backend.requests[0][0]
    assert request.adapter == "formulate" and request.grammar and request.temperature == 0.9
    assert request.n == 2


def test_the_file_resumes_and_yields_training_rows(tmp_path: Path) -> None:
    path = tmp_path / "boot.jsonl"
    for attempt in bootstrap([Labelled("1", BAKERY, 60.0), Labelled("2", BAKERY + "\\n", 1.0)],
                             _llm([RIGHT, RIGHT]), match=mamo_match, samples=1):  # fmt: skip
        append(path, attempt)
    with path.open("a") as handle:
        handle.write('{"id": "3", "te')  # a line cut by a crash
    assert done_ids(path) == {"1", "2"}
    rows = training_rows(path)
    assert [r["target"] for r in rows] == [RIGHT]
    assert rows[0]["text"] == BAKERY and rows[0]["quantities"] == []


def test_a_corrupt_line_in_the_middle_is_named(tmp_path: Path) -> None:
    path = tmp_path / "boot.jsonl"
    path.write_text("{oops\n" + json.dumps({"id": "1", "kept": False}) + "\n")
    with pytest.raises(ConfigError, match="line 1"):
        done_ids(path)


def test_zero_samples_is_refused() -> None:
    with pytest.raises(ConfigError, match="samples"):
        list(bootstrap([Labelled("1", BAKERY, 1.0)], _llm([RIGHT]), match=mamo_match, samples=0))


def test_the_recipe_reads_extra_data_and_names_a_missing_file(tmp_path: Path) -> None:
    from agent.tune import recipe_with
    from agent.tune._recipe import _extra

    path = tmp_path / "boot.jsonl"
    for attempt in bootstrap([Labelled("1", BAKERY, 60.0)], _llm([RIGHT]), match=mamo_match,
                             samples=1):  # fmt: skip
        append(path, attempt)
    rows = _extra(recipe_with(extra_data=(str(path),), extra_weight=2))
    assert [r["target"] for r in rows] == [RIGHT]
    with pytest.raises(ConfigError, match=r"nope\.jsonl"):
        _extra(recipe_with(extra_data=(str(tmp_path / "nope.jsonl"),)))
    with pytest.raises(ConfigError, match="extra_weight"):
        _extra(recipe_with(extra_data=(str(path),), extra_weight=0))
