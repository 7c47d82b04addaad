"""Training examples as token ids: the chat prompt the engine will see, then the target.

Tokenization goes through llama.cpp's own tokenizer and chat template (the engine that serves
the adapter), so the model learns exactly the token sequence it is later prompted with.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from agent.formulate._compact_prompt import compact_messages

IGNORE = -100


class ChatTokenizer(Protocol):
    """What encoding needs of an engine (``LlamaEngine`` has it)."""

    def chat_prompt(self, messages: Sequence[dict[str, str]]) -> list[int]: ...

    def tokenize(self, text: str) -> list[int]: ...

    @property
    def eos_id(self) -> int: ...


@dataclass(frozen=True)
class Encoded:
    """One example: input ids, and labels that are ``IGNORE`` over the prompt."""

    input_ids: tuple[int, ...]
    labels: tuple[int, ...]

    @property
    def target_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


def encode_chat(
    messages: Sequence[Mapping[str, str]], target: str, tokenizer: ChatTokenizer
) -> Encoded:
    """Encode any chat example: ``messages`` (role/content dicts) as the engine prompts them,
    then ``target`` and the end-of-sequence token as the reply the model learns."""
    prompt = tokenizer.chat_prompt([dict(m) for m in messages])
    reply = [*tokenizer.tokenize(target), tokenizer.eos_id]
    return Encoded(tuple(prompt + reply), tuple([IGNORE] * len(prompt) + reply))


def encode(example: Mapping[str, Any], tokenizer: ChatTokenizer) -> Encoded:
    """Encode a data-engine example (``text``, ``quantities``, ``target``)."""
    messages = [m.to_dict() for m in compact_messages(example["text"], example["quantities"])]
    return encode_chat(messages, example["target"], tokenizer)


@dataclass(frozen=True)
class Batch:
    """Padded rows of similar length (little padding; no example sees another)."""

    input_ids: list[list[int]]
    labels: list[list[int]]
    attention_mask: list[list[int]]

    @property
    def tokens(self) -> int:
        return sum(sum(row) for row in self.attention_mask)


def batches(
    examples: Sequence[Encoded], *, batch_size: int, seed: int, pad_id: int, max_length: int
) -> list[Batch]:
    """Length-grouped batches in a seeded random order (one epoch).

    Examples longer than ``max_length`` are dropped (the prompt would be cut).
    """
    rng = random.Random(seed)
    kept = [e for e in examples if len(e.input_ids) <= max_length]
    order = list(range(len(kept)))
    rng.shuffle(order)
    # sort within windows of 50 batches: similar lengths together, order still random
    window = batch_size * 50
    grouped: list[int] = []
    for start in range(0, len(order), window):
        grouped += sorted(order[start : start + window], key=lambda i: len(kept[i].input_ids))
    chunks = [grouped[i : i + batch_size] for i in range(0, len(grouped), batch_size)]
    rng.shuffle(chunks)
    return [_pad([kept[i] for i in chunk], pad_id) for chunk in chunks]


def _pad(rows: Iterable[Encoded], pad_id: int) -> Batch:
    rows = list(rows)
    width = max(len(r.input_ids) for r in rows)
    ids, labels, mask = [], [], []
    for r in rows:
        gap = width - len(r.input_ids)
        ids.append([*r.input_ids, *[pad_id] * gap])
        labels.append([*r.labels, *[IGNORE] * gap])
        mask.append([1] * len(r.input_ids) + [0] * gap)
    return Batch(ids, labels, mask)
