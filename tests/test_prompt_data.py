"""Prompt-task data: loaders with clear errors, splits, built-in tasks, formatting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import ConfigError, DataError
from agent.tasks.prompt import (
    BUILTIN_TASKS,
    Demo,
    PromptCandidate,
    PromptTask,
    builtin_task,
    detect_format,
    format_messages,
    load_examples,
    split_examples,
)
from tests._shared_data import shared_data


def test_jsonl_with_field_mapping_and_error_naming_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"q": "1+1?", "a": 2}\n\n{"q": "2+2?", "a": 4}\n{"q": "3+3?"}\n')
    with pytest.raises(DataError, match=r"d\.jsonl: line 4 lacks field\(s\) 'a'"):
        load_examples(path, input_fields=["q"], target_field="a")
    path.write_text('{"q": "1+1?", "a": 2}\n{"q": "2+2?", "a": 4}\n')
    examples = load_examples(path, input_fields=["q"], target_field="a")
    assert [(e.inputs["q"], e.target) for e in examples] == [("1+1?", "2"), ("2+2?", "4")]


def test_bad_json_line_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "x", "answer": "y"}\n{oops\n')
    with pytest.raises(DataError, match="line 2: not valid JSON"):
        load_examples(path)
    with pytest.raises(DataError, match="not found"):
        load_examples(tmp_path / "nope.jsonl")


def test_csv_gsm8k_and_bbh(tmp_path: Path) -> None:
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("text,label\ngreat film,positive\nawful film,negative\n")
    examples = load_examples(csv_path, input_fields=["text"], target_field="label")
    assert examples[1].inputs == {"text": "awful film"} and examples[1].target == "negative"
    with pytest.raises(DataError, match=r"d\.csv: line 2 lacks field\(s\) 'answer'"):
        load_examples(csv_path, input_fields=["text"])

    gsm = tmp_path / "g.jsonl"
    gsm.write_text(json.dumps({"question": "q?", "answer": "2*3=6\n#### 1,006"}) + "\n")
    assert detect_format(gsm) == "gsm8k"
    assert load_examples(gsm)[0].target == "1006"

    bbh = tmp_path / "b.json"
    bbh.write_text(json.dumps({"examples": [{"input": "x?", "target": "(A)"}]}))
    assert detect_format(bbh) == "bbh"
    assert load_examples(bbh)[0].inputs == {"input": "x?"}
    bbh.write_text(json.dumps({"examples": [{"input": "x?"}]}))
    with pytest.raises(DataError, match=r"example 1 lacks field\(s\) 'target'"):
        load_examples(bbh)


def test_shared_public_shapes() -> None:
    formats = shared_data("formats")
    gsm = load_examples(formats / "gsm8k_style.jsonl")
    assert gsm[0].target == "19" and gsm[1].target == "180"
    bbh = load_examples(formats / "bbh_style.json")
    assert [e.target for e in bbh] == ["10", "yes", "(B)"]


def test_split_examples_is_deterministic_and_disjoint() -> None:
    examples = BUILTIN_TASKS["arithmetic"].splits(seed=0).train
    a = split_examples(examples, seed=3)
    b = split_examples(examples, seed=3)
    assert a == b
    assert len(a.train) + len(a.val) + len(a.test) == len(examples)
    with pytest.raises(DataError):
        split_examples(examples[:2])


@pytest.mark.parametrize("name", sorted(BUILTIN_TASKS))
def test_builtin_splits_are_seeded_and_disjoint(name: str) -> None:
    item = builtin_task(f"builtin:{name}")
    first, again, other = item.splits(seed=0), item.splits(seed=0), item.splits(seed=1)
    assert first == again and first != other
    assert first.sizes() == dict(zip(("train", "val", "test"), item.sizes, strict=True))
    keys = [
        {json.dumps(dict(e.inputs), sort_keys=True) for e in split}
        for split in (first.train, first.val, first.test)
    ]
    assert not (keys[0] & keys[2]) and not (keys[1] & keys[2]) and not (keys[0] & keys[1])
    for example in first.test:
        assert item.task.score(example.target, example.target) == 1.0


def test_unknown_builtin_lists_available() -> None:
    with pytest.raises(ConfigError, match="available: arithmetic"):
        builtin_task("builtin:nope")


def test_format_messages_positions_and_demos() -> None:
    task = PromptTask(name="t", input_fields=("question",), answer_kind="number")
    demo = Demo({"question": "1+1?"}, "2", origin="bootstrap")
    for position, expected in (
        ("Q_begin", "Be brief.\n\n2+3?"),
        ("Q_end", "2+3?\n\nBe brief."),
        ("A_begin", "2+3?\n\nA: Be brief."),
    ):
        candidate = PromptCandidate("Be brief.", (demo,), position)  # type: ignore[arg-type]  # a loop over the Literal's values as plain strings
        messages = format_messages(task, candidate, {"question": "2+3?"})
        assert [m.role for m in messages] == ["user", "assistant", "user"]
        assert messages[1].content == "2"
        assert messages[-1].content == expected
    assert format_messages(task, PromptCandidate(), {"question": "q"})[0].content == "q"
    with pytest.raises(ConfigError, match="position"):
        PromptCandidate("x", (), "middle")  # type: ignore[arg-type]  # the point: an unknown position must raise


def test_multi_field_inputs_are_named() -> None:
    task = PromptTask(name="t", input_fields=("context", "question"))
    text = format_messages(task, PromptCandidate(), {"context": "c", "question": "q"})[0].content
    assert text == "context: c\nquestion: q"


def test_split_by_sizes_takes_exact_disjoint_sizes_or_names_the_shortfall() -> None:
    from agent.tasks.prompt import Example, split_by_sizes

    examples = [Example({"question": f"q{i}"}, str(i)) for i in range(20)]
    splits = split_by_sizes(examples, (5, 4, 3), seed=1)
    assert splits.sizes() == {"train": 5, "val": 4, "test": 3}
    seen = [e.inputs["question"] for e in (*splits.train, *splits.val, *splits.test)]
    assert len(set(seen)) == 12
    assert split_by_sizes(examples, (5, 4, 3), seed=1) == splits
    with pytest.raises(DataError, match="asks for 30 examples but the file holds 20"):
        split_by_sizes(examples, (10, 10, 10), source="d.jsonl")
