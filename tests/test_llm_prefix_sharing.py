"""The embedded engine decodes a prompt prefix shared by a batch (the same few-shot demos before
different questions) once for the group, and the answers match one-at-a-time generation."""

from __future__ import annotations

import pytest

from agent.llm import LLM, load
from agent.llm.backends._embedded import EmbeddedBackend

# The embedded model and llama-cpp-python are core dependencies: a missing one fails here.
pytestmark = pytest.mark.llm

DEMOS = [
    ("Ann has 3 pens and gets 2 more. How many pens does Ann have now?", "3 + 2 = 5"),
    ("Bob has 9 cups and gives away 4. How many cups does Bob have left?", "9 - 4 = 5"),
    ("Cy has 6 keys and gets 1 more. How many keys does Cy have now?", "6 + 1 = 7"),
]
QUESTIONS = [
    "Dan has 7 hats and gets 2 more. How many hats does Dan have now?",
    "Eve has 8 pens and gives away 3. How many pens does Eve have left?",
    "Fay has 4 toys and gets 4 more. How many toys does Fay have now?",
    "Gus has 5 cards and gives away 1. How many cards does Gus have left?",
]


def _messages(question: str) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for q, a in DEMOS:
        turns += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return [*turns, {"role": "user", "content": question}]


def test_a_shared_prefix_is_decoded_once_and_answers_match_single_runs() -> None:
    llm = load("local", cache=False)
    assert isinstance(llm.backend, EmbeddedBackend)
    engine = llm.backend.engine
    singles = [llm.complete(_messages(q), max_tokens=12, stop=["\n"])[0].text for q in QUESTIONS]
    before = engine.evaluated_tokens
    replies = llm.batch([LLM.request(_messages(q), max_tokens=12, stop=["\n"]) for q in QUESTIONS])
    evaluated = engine.evaluated_tokens - before
    tokens = [engine.chat_prompt(_messages(q)) for q in QUESTIONS]
    common = next(i for i, (a, b) in enumerate(zip(*tokens[:2], strict=False)) if a != b)
    assert common > 60  # the demos
    outputs = sum(r[0].usage.completion_tokens for r in replies)
    # Without sharing the engine evaluates every prompt token plus the outputs; with it, the
    # common prefix (all but its last token at least) once instead of once per question.
    saved = (len(QUESTIONS) - 1) * (common - 1)
    assert evaluated <= sum(map(len, tokens)) + outputs - saved
    texts = [r[0].text for r in replies]
    assert all(t.strip() for t in texts)
    for single, batched in zip(singles, texts, strict=True):
        assert batched[:5] == single[:5]
