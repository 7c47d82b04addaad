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
