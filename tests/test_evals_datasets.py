"""Benchmark loaders: the shared fixtures and MAMO files, every quirk, every bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.errors import DataError, RecordError
from evals.datasets import (
    FORMATS,
    EvalItem,
    Gold,
    detect_format,
    is_prompt_format,
    load_items,
    load_prompt_examples,
    parse_label,
    parse_number,
    read_records,
)
from tests._shared_data import shared_data


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _lines(path: Path, *rows: object) -> Path:
    return _write(path, "".join(json.dumps(r) + "\n" for r in rows))


# --- the shared fixtures, with the answers their README lists -------------------------------

FIXTURES = [
    ("optibench.json", "optibench", [("optimal", None), ("optimal", None), ("optimal", None)]),
    ("llmopt_style.jsonl", "jsonl", [("optimal", 1500.0), ("optimal", 18.0), ("optimal", 100.0)]),
    ("mamo_style.jsonl", "mamo", [("optimal", 120.0), ("optimal", 2240.0)]),
    ("orlm_style.json", "orlm", [("infeasible", None), ("optimal", 17.0), ("optimal", 26.0)]),
    ("nlp4lp", "nlp4lp", [("optimal", 120.0)]),
    ("nlp4lp/1", "nlp4lp", [("optimal", 120.0)]),
]


@pytest.mark.parametrize(("name", "fmt", "answers"), FIXTURES)
def test_shared_fixture_loads_with_readme_answers(
    name: str, fmt: str, answers: list[tuple[str, float | None]]
) -> None:
    path = shared_data("formats", name)
    assert detect_format(path) == fmt
    items = load_items(path)
    assert [(i.gold.status, i.gold.objective) for i in items] == answers
    assert all(i.question.strip() for i in items)
    assert len({i.id for i in items}) == len(items)
    assert all(i.source for i in items)


def test_optibench_named_results_with_no_objective_guessed_from_names() -> None:
    items = load_items(shared_data("formats", "optibench.json"))
    first = items[0]
    assert first.id == "0"
    assert first.category == "linear-notable"
    assert first.gold.named == {
        "The maximum profit": 1500.0,
        "The number of chairs": 50.0,
        "The number of tables": 0.0,
    }
    # No name pattern picks the objective: every named value is scored, and the answer's
    # formulation says which of its named results is the objective.
    assert first.gold.objective is None and first.gold.objective_name == ""
    assert first.quantities == list(first.gold.named)
    assert first.gold.raw["The maximum profit"] == "1500.0"  # as the file wrote it
    assert [i.category for i in items] == ["linear-notable", "linear-table", "nonlinear-notable"]


def test_jsonl_string_and_number_answers() -> None:
    items = load_items(shared_data("formats", "llmopt_style.jsonl"))
    assert [i.gold.raw for i in items] == [1500.0, "18", 100]
    assert [i.id for i in items] == ["0", "1", "2"]
    assert items[0].meta == {"ori": "synthetic"}


def test_mamo_fixture_fields() -> None:
    items = load_items(shared_data("formats", "mamo_style.jsonl"))
    assert [i.id for i in items] == ["1", "2"]
    assert [i.category for i in items] == ["IP", "IP"]
    assert items[1].gold.raw == "2240"
    assert items[0].meta == {"Category": "synthetic"}


def test_orlm_jsonl_in_json_file_and_no_best_solution() -> None:
    path = shared_data("formats", "orlm_style.json")
    assert path.suffix == ".json"
    assert read_records(path).container == "lines"
    items = load_items(path)
    assert items[0].gold == Gold(status="infeasible", raw="No Best Solution")
    assert [i.category for i in items] == ["Easy", "Easy", "Medium"]


def test_nlp4lp_folder_of_folders_and_single_folder() -> None:
    root = shared_data("formats", "nlp4lp")
    many, one = load_items(root), load_items(root / "1")
    assert many == one
    item = many[0]
    assert item.id == "1"
    assert item.question.startswith("A snack stand")
    assert item.gold.raw["variables"] == {"Juice": 60.0, "Muffins": 0.0}
    assert item.meta["parameters"]["MinutesAvailable"] == 60


@pytest.mark.parametrize(
    ("name", "fmt", "targets"),
    [
        ("bbh_style.json", "bbh", ["10", "yes", "(B)"]),
        ("gsm8k_style.jsonl", "gsm8k", ["19", "180"]),
    ],
)
def test_prompt_formats_load_through_prompt_loaders(
    name: str, fmt: str, targets: list[str]
) -> None:
    path = shared_data("formats", name)
    assert detect_format(path) == fmt
    assert is_prompt_format(fmt)
    assert [e.target for e in load_prompt_examples(path)] == targets
    with pytest.raises(DataError, match="load_prompt_examples"):
        load_items(path)


def test_opro_gsm8k_tsv_loads_as_a_prompt_benchmark(tmp_path: Path) -> None:
    # OPRO's data/gsm_data/gsm_test.tsv shape: question TAB answer, no header.
    path = _write(
        tmp_path / "gsm_test.tsv",
        "Mia has 4 boxes of 6 pencils. How many pencils?\t24\n"
        "A train goes 60 km an hour for 3 hours. How far?\t180\n",
    )
    assert detect_format(path) == "gsm8k_tsv" and is_prompt_format("gsm8k_tsv")
    examples = load_prompt_examples(path)
    assert [e.target for e in examples] == ["24", "180"]
    assert examples[0].inputs == {"question": "Mia has 4 boxes of 6 pencils. How many pencils?"}
    with pytest.raises(DataError, match="load_prompt_examples"):
        load_items(path)


def test_one_reader_drops_the_bom_and_normalizes_crlf(tmp_path: Path) -> None:
    rows = [{"Question": "Max x.\r\nx <= 2.", "Answer": "2", "id": 1}]
    text = "".join(json.dumps(r) + "\r\n" for r in rows)
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (item,) = load_items(path)
    assert item.id == "1" and item.gold.objective == 2.0
    tsv = tmp_path / "bom.tsv"
    tsv.write_bytes(b"\xef\xbb\xbfHow many?\t3\r\nAnd now?\t4\r\n")
    assert [(e.inputs["question"], e.target) for e in load_prompt_examples(tsv)] == [
        ("How many?", "3"),
        ("And now?", "4"),
    ]


def test_bad_json_is_named_by_file_and_line_in_every_loader(tmp_path: Path) -> None:
    from agent.tasks.prompt import load_examples

    text = '[\n  {"question": "a", "results": {"x": "1"}},\n  {oops}\n]'
    array = _write(tmp_path / "bad.json", text)
    with pytest.raises(RecordError) as err:
        load_items(array)
    assert (err.value.path, err.value.line) == (str(array), 3)
    lines = _write(tmp_path / "bad.jsonl", '{"question": "a", "answer": "1"}\r\n{"question": \r\n')
    with pytest.raises(RecordError, match=r"bad\.jsonl: line 2: not valid JSON"):
        load_examples(lines, format="jsonl")
    folder = tmp_path / "p1"
    folder.mkdir()
    _write(folder / "description.txt", "Maximise x.")
    _write(folder / "solution.json", '{"objective":\n }')
    with pytest.raises(RecordError, match=r"solution\.json: line 2: not valid JSON"):
        load_items(folder)


def test_load_prompt_examples_refuses_optimization_files() -> None:
    with pytest.raises(DataError, match="load_items"):
        load_prompt_examples(shared_data("formats", "mamo_style.jsonl"))


# --- the real MAMO rows --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows", "category"),
    [
        ("mamo_easy_lp.jsonl", 652, "easy_lp"),
        ("mamo_complex_lp.jsonl", 211, "complex_lp"),
    ],
)
def test_every_mamo_row_loads(name: str, rows: int, category: str) -> None:
    path = shared_data("mamo", name)
    assert detect_format(path) == "mamo"
    items = load_items(path)
    assert len(items) == rows
    assert len({i.id for i in items}) == rows
    assert {i.category for i in items} == {category}
    for item in items:
        assert item.gold.status == "optimal"
        assert item.gold.objective is not None and math.isfinite(item.gold.objective)
        assert item.gold.objective == float(item.gold.raw)
        assert item.question.strip()


# --- quirks and bad inputs, on files written by the tests ------------------------------------


def test_optibench_line_numbers_point_at_each_record(tmp_path: Path) -> None:
    records = [
        {"question": "q0", "index": 0, "type": "t", "results": {"The minimum cost": "1"}},
        {"question": "q1", "index": 1, "type": "t", "results": {"The minimum cost": "oops"}},
    ]
    path = _write(tmp_path / "bench.json", json.dumps(records, indent=4))
    found = read_records(path)
    assert found.container == "array"
    assert [r.line for r in found.items] == [2, 10]
    with pytest.raises(RecordError) as err:
        load_items(path)
    assert (err.value.path, err.value.line, err.value.field) == (
        str(path),
        10,
        "results.The minimum cost",
    )
    assert "oops" in str(err.value) and "line 10" in str(err.value)


def test_optibench_without_objective_name_leaves_objective_none(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.json",
        json.dumps([{"question": "q", "index": 3, "results": {"x": "1", "y": "2.5"}}]),
    )
    (item,) = load_items(path)
    assert item.gold.objective is None and item.gold.objective_name == ""
    assert item.gold.named == {"x": 1.0, "y": 2.5}


def test_optibench_objective_like_names_are_not_guessed(tmp_path: Path) -> None:
    results = {"The maximum profit": "5", "Total cost": "3"}
    path = _write(tmp_path / "b.json", json.dumps([{"question": "q", "results": results}]))
    (item,) = load_items(path)
    assert item.gold.objective is None
    assert item.id == "1"  # no index field: the line number


def test_optibench_no_best_solution_result_is_infeasible(tmp_path: Path) -> None:
    rec = {"question": "q", "index": 0, "results": {"The maximum profit": "No Best Solution"}}
    (item,) = load_items(_write(tmp_path / "b.json", json.dumps([rec])))
    assert item.gold.status == "infeasible"


def test_unknown_shape_names_file_line_and_fields(tmp_path: Path) -> None:
    path = _lines(tmp_path / "x.jsonl", {"prompt": "p", "label": 3})
    with pytest.raises(RecordError) as err:
        detect_format(path)
    assert err.value.line == 1
    assert str(path) in str(err.value)
    assert "'prompt'" in str(err.value) and "'label'" in str(err.value)


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "m.jsonl",
        {"id": 1, "Question": "q", "Answer": "3"},
        {"id": 2, "Question": "q"},
    )
    with pytest.raises(RecordError) as err:
        load_items(path, format="mamo")
    assert (err.value.line, err.value.field) == (2, "Answer")
    assert f"{path}: line 2: field 'Answer'" in str(err.value)


def test_bad_number_names_file_line_and_field(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "q.jsonl",
        {"question": "q", "answer": 1, "index": 0},
        {"question": "q", "answer": "about 12", "index": 1},
    )
    with pytest.raises(RecordError) as err:
        load_items(path)
    assert (err.value.line, err.value.field) == (2, "answer")
    assert "about 12" in str(err.value)


def test_empty_question_is_an_error(tmp_path: Path) -> None:
    path = _lines(tmp_path / "o.jsonl", {"en_question": "  ", "en_answer": 3, "id": 0})
    with pytest.raises(RecordError) as err:
        load_items(path)
    assert err.value.field == "en_question"


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    path = _lines(
        tmp_path / "d.jsonl",
        {"question": "a", "answer": 1, "index": 7},
        {"question": "b", "answer": 2, "index": 8},
        {"question": "c", "answer": 3, "index": 7},
    )
    with pytest.raises(DataError, match=r"duplicate item id '7' at line 1 and line 3"):
        load_items(path)


def test_ids_fall_back_to_line_numbers(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "n.jsonl",
        json.dumps({"question": "a", "answer": 1})
        + "\n\n"
        + json.dumps({"question": "b", "answer": 2}),
    )
    assert [i.id for i in load_items(path)] == ["1", "3"]


def test_invalid_json_line_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.jsonl", '{"question": "a", "answer": 1}\n{"question": \n')
    with pytest.raises(RecordError) as err:
        load_items(path)
    assert err.value.line == 2


def test_non_json_and_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="line 1"):
        detect_format(_write(tmp_path / "a.csv", "question,answer\nq,1\n"))
    with pytest.raises(DataError, match="not found"):
        load_items(tmp_path / "nope.jsonl")
    with pytest.raises(DataError, match="empty"):
        detect_format(_write(tmp_path / "e.json", "  \n"))


def test_unknown_format_name(tmp_path: Path) -> None:
    path = _lines(tmp_path / "q.jsonl", {"question": "a", "answer": 1})
    with pytest.raises(DataError, match="unknown dataset format 'csv'"):
        load_items(path, format="csv")
    assert "jsonl" in FORMATS


def test_folder_without_problems_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"description\.txt"):
        detect_format(tmp_path / "empty")


def test_nlp4lp_problem_without_objective(tmp_path: Path) -> None:
    folder = tmp_path / "p" / "4"
    folder.mkdir(parents=True)
    _write(folder / "description.txt", "Maximise x.")
    _write(folder / "solution.json", json.dumps({"variables": {"x": 1}}))
    with pytest.raises(RecordError) as err:
        load_items(tmp_path / "p")
    assert err.value.path == str(folder / "solution.json")
    assert err.value.field == "objective"


def test_nlp4lp_folders_sort_numerically(tmp_path: Path) -> None:
    for name in ("10", "2", "b"):
        folder = tmp_path / name
        folder.mkdir()
        _write(folder / "description.txt", f"problem {name}")
        _write(folder / "solution.json", json.dumps({"objective": 1}))
    assert [i.id for i in load_items(tmp_path)] == ["2", "10", "b"]


def test_item_round_trips_through_dict() -> None:
    item = EvalItem(
        id="3",
        question="q",
        gold=Gold(objective=2.0, named={"a": 2.0}, raw="2", objective_name="a"),
        category="LP",
        source="f",
        meta={"k": 1},
    )
    assert EvalItem.from_dict(json.loads(json.dumps(item.to_dict()))) == item


# --- the numeric-label parser ----------------------------------------------------------------


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_float_text(value: float) -> None:
    assert parse_number(repr(value)) == value
    assert parse_number(value) == value


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_parse_number_reads_thousands_commas_and_dollars(value: int) -> None:
    assert parse_number(f"{value:,}") == value
    assert parse_number(f" {value} ") == value
    if value >= 0:
        assert parse_number(f"${value:,}") == value


@given(st.text().filter(lambda s: not any(c.isdigit() for c in s)))
def test_parse_number_refuses_text_without_digits(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    "bad", ["1,50", "about 12", "12%", "1.2.3", "nan", "inf", "", True, None, [1]]
)
def test_parse_number_refuses(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_number(bad)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("No Best Solution", "infeasible"),
        ("infeasible", "infeasible"),
        ("Unbounded.", "unbounded"),
        ("42", "optimal"),
    ],
)
def test_parse_label_statuses(raw: str, status: str) -> None:
    assert parse_label(raw).status == status
