"""Answer extraction, normalization and default metrics of prompt tasks."""

from __future__ import annotations

import pytest

from agent.errors import ConfigError
from agent.tasks.prompt import (
    extract_choice,
    extract_label,
    extract_number,
    extract_yesno,
    metric_for,
    normalize_exact,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ben has 6 - 2 = 4 stamps left.", "4"),
        ("The answer is 1,234.", "1234"),
        ("So the answer is: 7 apples, not 9", "7"),
        ("12.0", "12"),
        ("-3", "-3"),
        ("\n\nKate has 5 marbles.\nShe gets 2 more", "5"),
        ("no digits here", None),
        ("First line without.\n42", None),
    ],
)
def test_extract_number(text: str, expected: str | None) -> None:
    assert extract_number(text) == expected


def test_choice_yesno_label_and_exact() -> None:
    assert extract_choice("I pick (b) because") == "B"
    assert extract_choice("Answer: C") == "C"
    assert extract_yesno("Yes, it is plausible.") == "yes"
    assert extract_yesno("Well... no.") == "no"
    assert extract_label("The review is Negative overall", ("positive", "negative")) == "negative"
    assert extract_label("neutral", ("positive", "negative")) is None
    assert normalize_exact('  "Paris."\nmore text') == "Paris"


def test_metric_for_kinds() -> None:
    assert metric_for("number")("3 + 4 = 7 apples.", "7") == 1.0
    assert metric_for("number")("3 + 4 = 8", "7") == 0.0
    label = metric_for("label", ("positive", "negative"))
    assert label("It is POSITIVE.", "positive") == 1.0
    assert label("It is positive, not negative.", "negative") == 0.0
    assert metric_for("choice")("(B)", "(B)") == 1.0
    assert metric_for("exact")("Rome", "Rome") == 1.0
    assert metric_for("exact")("Anna works in Rome.", "Rome") == 0.0
    with pytest.raises(ConfigError, match="unknown answer kind"):
        metric_for("fuzzy")  # type: ignore[arg-type]  # the point: an unknown kind must raise


def test_regex_answers_take_the_first_group() -> None:
    from agent.tasks.prompt import PromptTask, extract_regex

    assert extract_regex("so ANSWER: Blue.", r"ANSWER:\s*(\w+)") == "Blue"
    assert extract_regex("no marker here", r"ANSWER:\s*(\w+)") is None
    assert extract_regex("code X-12 ok", r"X-\d+") == "X-12"  # no group: the whole match
    task = PromptTask(
        name="codes", input_fields=("q",), answer_kind="regex", pattern=r"ANSWER:\s*(\w+)"
    )
    assert task.score("ANSWER: Blue", "Blue") == 1.0
    assert task.score("ANSWER: Red", "Blue") == 0.0
    with pytest.raises(ConfigError, match="needs a pattern"):
        PromptTask(name="codes", input_fields=("q",), answer_kind="regex")
    with pytest.raises(ConfigError, match="bad answer pattern"):
        PromptTask(name="codes", input_fields=("q",), answer_kind="regex", pattern="(")


@pytest.mark.parametrize(
    ("targets", "kind", "labels"),
    [
        (["4", "1,200", "-3.5"], "number", ()),
        (["yes", "No", "no"], "yesno", ()),
        (["(A)", "c", "B"], "choice", ()),
        (["cat", "dog", "dog", "cat"], "label", ("cat", "dog")),
        (["Paris", "Rome", "Oslo"], "exact", ()),
        (["a long free answer", "another long one"], "exact", ()),
    ],
)
def test_answer_kind_is_inferred_from_targets(
    targets: list[str], kind: str, labels: tuple[str, ...]
) -> None:
    from agent.tasks.prompt import infer_answer_kind

    assert infer_answer_kind(targets) == (kind, labels)
