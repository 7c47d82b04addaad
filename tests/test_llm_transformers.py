"""The transformers backend on the same shipped GGUF: batched greedy equals single greedy,
per-sample seeds, JSON-schema decoding, and the missing-extra error."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from agent.errors import MissingExtraError
from agent.llm import LLM, load
from agent.llm.backends._embedded import embedded_model_path
from agent.llm.backends._transformers import TransformersBackend

HAS_HF = all(importlib.util.find_spec(m) for m in ("transformers", "torch", "gguf", "xgrammar"))
needs_hf = pytest.mark.skipif(
    not HAS_HF, reason="the hf extra is not installed: pip install 'optagent[hf]'"
)

PROMPTS = [
    "What is 2 + 3?",
    "Name a colour of the sky.",
    "Write one word that rhymes with cat.",
    "Say hello in French.",
    "List three fruits.",
    "What is the capital of France?",
    "Count to three.",
    "Name a dog breed.",
]


@pytest.fixture(scope="module")
def hf_llm() -> LLM:
    return load(f"hf:{embedded_model_path()}", cache=False)


def test_missing_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # fault injection: not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'optagent\[hf\]'"):
        TransformersBackend("model-folder")


@pytest.mark.llm
@needs_hf
def test_batch_of_eight_greedy_equals_single_prompt_output(hf_llm: LLM) -> None:
    singles = [hf_llm.complete(p, max_tokens=8)[0].text for p in PROMPTS]
    batched = hf_llm.batch([hf_llm.request(p, max_tokens=8) for p in PROMPTS])
    assert [b[0].text for b in batched] == singles
    assert all(s.strip() for s in singles)


@pytest.mark.llm
@needs_hf
def test_hot_samples_reproduce_with_their_seed_inside_any_batch(hf_llm: LLM) -> None:
    request = hf_llm.request(PROMPTS[7], n=2, temperature=1.0, seed=3, max_tokens=6)
    other = hf_llm.request(PROMPTS[1], temperature=1.0, seed=9, max_tokens=6)
    alone = [c.text for c in hf_llm.batch([request])[0]]
    mixed = [c.text for c in hf_llm.batch([other, request])[1]]
    assert alone == mixed
    assert alone[0] != alone[1]


@pytest.mark.llm
@needs_hf
def test_json_schema_is_enforced_while_decoding(hf_llm: LLM) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 8},
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
        },
        "required": ["name", "age"],
    }
    completions = hf_llm.complete(
        "Give a person as JSON.", n=2, temperature=1.0, schema=schema, max_tokens=40
    )
    assert all(c.repairs == 0 and set(c.parsed) == {"name", "age"} for c in completions)
