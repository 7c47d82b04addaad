"""The embedded model on llama.cpp, for real: offline loading, grammar-constrained JSON,
batched generation that matches single-prompt generation, seeds, stops and streaming."""

from __future__ import annotations

import enum
import os
import subprocess
import sys
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from agent.errors import ContextWindowError
from agent.llm import LLM, load
from agent.llm.backends._embedded import EmbeddedBackend

# The embedded model and llama-cpp-python are core dependencies: a missing one fails here.
pytestmark = pytest.mark.llm


class Sense(enum.StrEnum):
    LE = "<="
    GE = ">="
    EQ = "=="


class Term(BaseModel):
    variable: str = Field(pattern=r"^[a-z][a-z0-9_]{0,5}$")
    coefficient: int = Field(ge=-100, le=100)


class Constraint(BaseModel):
    name: str = Field(min_length=1, max_length=8)
    terms: list[Term] = Field(min_length=1, max_length=2)
    sense: Sense
    rhs: int = Field(ge=0, le=200)


class Formulation(BaseModel):
    objective: Literal["minimize", "maximize"]
    cost: list[Term] = Field(min_length=1, max_length=2)
    constraints: list[Constraint] = Field(min_length=1, max_length=2)


@pytest.fixture(scope="module")
def llm() -> LLM:
    return load("local", cache=False)


def test_loads_offline_in_a_fresh_process_and_answers() -> None:
    code = (
        "from agent.llm import load\n"
        "c = load('local', cache=False).complete('Reply with OK.', max_tokens=8)[0]\n"
        "assert c.text.strip() and c.usage.completion_tokens > 0, c\n"
        "print('answered', repr(c.text))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "answered" in done.stdout


def test_grammar_makes_twenty_hot_samples_of_a_nested_schema_valid_first_try(llm: LLM) -> None:
    before = llm.usage.snapshot().repairs
    completions = llm.complete(
        "Write a small production-planning linear program as JSON.",
        n=20,
        temperature=1.0,
        seed=11,
        schema=Formulation,
        max_tokens=600,
    )
    assert len(completions) == 20
    assert all(isinstance(c.parsed, Formulation) for c in completions)
    assert [c.repairs for c in completions] == [0] * 20
    assert llm.usage.snapshot().repairs == before
    assert all(c.finish_reason == "stop" for c in completions)
    assert len({c.text for c in completions}) > 1, "hot samples should differ"


PROMPTS = [
    "What is 2 + 3?",
    "Name a colour of the sky.",
    "Write one word that rhymes with cat.",
    "Say hello in French.",
    "List three fruits.",
    "What is the capital of France?",
]


@pytest.mark.xfail(
    reason="llama.cpp computes a batch of sequences with other CPU kernels than one sequence "
    "(matrix-matrix vs matrix-vector products, masked attention over a shared KV cache); the "
    "logits differ in the last bits and greedy decoding can flip at near-ties (measured on the "
    "x86-64 CI machine: some of these prompts decode differently; outputs stay reproducible, see "
    "the next test). Strict: a machine where batched equals single shows up as XPASS",
    strict=True,
)
def test_batched_greedy_output_equals_single_prompt_output(llm: LLM) -> None:
    singles = [llm.complete(p, max_tokens=24)[0].text for p in PROMPTS]
    batched = llm.batch([llm.request(p, max_tokens=24) for p in PROMPTS])
    assert [b[0].text for b in batched] == singles


def test_batched_greedy_output_starts_like_single_and_is_reproducible(llm: LLM) -> None:
    singles = [llm.complete(p, max_tokens=24)[0].text for p in PROMPTS]
    batched = [b[0].text for b in llm.batch([llm.request(p, max_tokens=24) for p in PROMPTS])]
    again = [b[0].text for b in llm.batch([llm.request(p, max_tokens=24) for p in PROMPTS])]
    assert batched == again
    assert all(text.strip() for text in singles + batched)
    # Batched kernels may flip a greedy near-tie on some machines (the xfail above), so not every
    # prompt must start alike; a batch that mixed up its sequences would match almost none.
    alike = sum(many[:8] == single[:8] for single, many in zip(singles, batched, strict=True))
    assert alike >= len(PROMPTS) / 2, list(zip(singles, batched, strict=True))


def test_greedy_samples_of_one_request_are_identical(llm: LLM) -> None:
    texts = [c.text for c in llm.complete(PROMPTS[0], n=3, max_tokens=16)]
    assert texts[0] == texts[1] == texts[2]


def test_hot_samples_reproduce_with_their_seed(llm: LLM) -> None:
    first = [c.text for c in llm.complete(PROMPTS[1], n=4, temperature=1.0, seed=5, max_tokens=16)]
    again = [c.text for c in llm.complete(PROMPTS[1], n=4, temperature=1.0, seed=5, max_tokens=16)]
    assert first == again
    assert len(set(first)) > 1


def test_stop_string_ends_the_output_and_is_dropped(llm: LLM) -> None:
    full = llm.complete(PROMPTS[4], max_tokens=40)[0]
    assert "\n" in full.text.strip(), "the fixture prompt should give several lines"
    cut = llm.complete(PROMPTS[4], max_tokens=40, stop="\n")[0]
    assert "\n" not in cut.text
    assert full.text.startswith(cut.text)
    assert cut.finish_reason == "stop"


def test_max_tokens_gives_finish_reason_length(llm: LLM) -> None:
    c = llm.complete("Write a long story about a dragon.", max_tokens=5)[0]
    assert c.finish_reason == "length"
    assert c.usage.completion_tokens == 5


def test_stream_yields_the_same_text_as_complete(llm: LLM) -> None:
    whole = llm.complete(PROMPTS[5], max_tokens=24)[0].text
    pieces = list(llm.backend.stream(llm.request(PROMPTS[5], max_tokens=24)))
    assert len(pieces) > 1
    assert "".join(pieces) == whole


def test_prompt_longer_than_the_window_raises_context_window_error() -> None:
    small = LLM(EmbeddedBackend(n_ctx=64, kv_size=256, n_parallel=2))
    with pytest.raises(ContextWindowError, match="window is 64"):
        small.complete("word " * 200, max_tokens=4)
