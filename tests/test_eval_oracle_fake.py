"""The oracle fake backend: spec strings, matching by question, errors for bad sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import ConfigError, DataError
from agent.llm import LLM, OracleFakeBackend, load_backend, parse_spec
from agent.llm.backends._oracle import NO_MATCH_REPLY


def test_spec_builds_the_fake_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    rows = [
        {"question": "Maximise x with x at most 2.", "formulation": {"a": 1}},
        {"question": "Maximise x with x at most 2. Also y.", "formulation": {"b": 2}},
        {"question": "plain row without formulation"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert parse_spec(f"oracle:{path}").kind == "oracle"
    backend = load_backend(f"oracle:{path}")
    assert isinstance(backend, OracleFakeBackend) and backend.spec == f"oracle:{path}"
    llm = LLM(backend)
    # Whitespace differences do not matter; the longest matching question wins.
    assert llm.complete("Problem:\n Maximise x  with x at most 2.\n")[0].text == '{"a": 1}'
    assert llm.complete("Maximise x with x at most 2. Also y.")[0].text == '{"b": 2}'
    assert llm.complete("something else")[0].text == NO_MATCH_REPLY
    assert backend.unmatched == 1


def test_bad_sources_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="names no path"):
        parse_spec("oracle:")
    with pytest.raises(ConfigError, match="does not exist"):
        load_backend(f"oracle:{tmp_path / 'none.jsonl'}")
    empty = tmp_path / "e.jsonl"
    empty.write_text(json.dumps({"question": "q"}) + "\n")
    with pytest.raises(DataError, match="'question' and 'formulation'"):
        load_backend(f"oracle:{empty}")
