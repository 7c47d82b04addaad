"""JSON schema -> llama.cpp grammar: the converter's gaps are closed (no model needed)."""

from __future__ import annotations

from agent.llm.backends._gbnf import MAX_ENUM_RANGE, schema_grammar


def test_small_integer_range_becomes_an_enforced_alternation() -> None:
    grammar = schema_grammar({"type": "integer", "minimum": -2, "maximum": 2})
    root = next(line for line in grammar.splitlines() if line.startswith("root ::="))
    assert root.split("::=")[1].split("|") == [' "-2" ', ' "-1" ', ' "0" ', ' "1" ', ' "2"']


def test_exclusive_bounds_are_respected() -> None:
    grammar = schema_grammar({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 3})
    assert '"1" | "2"' in grammar and '"0"' not in grammar and '"3"' not in grammar


def test_wide_integer_range_stays_a_plain_integer_rule() -> None:
    grammar = schema_grammar({"type": "integer", "minimum": 0, "maximum": MAX_ENUM_RANGE * 10})
    assert "integral-part" in grammar


def test_strings_exclude_raw_control_characters() -> None:
    grammar = schema_grammar({"type": "string", "maxLength": 4})
    char = next(line for line in grammar.splitlines() if line.startswith("char ::="))
    assert r"\x00-\x1F" in char
