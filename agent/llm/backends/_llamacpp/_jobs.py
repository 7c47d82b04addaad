"""What callers hand the llama.cpp engine and get back, and the state of a job once admitted."""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class GenerationJob:
    """One sequence to generate.

    Attributes:
        prompt: prompt token ids (already templated and tokenized).
        max_tokens: most tokens to generate.
        temperature: 0 means greedy.
        top_p: nucleus mass, 1 disables it.
        top_k: keep the k most likely tokens before sampling, 0 disables it.
        seed: seed of this sequence's draw, so a sample reproduces whatever else runs.
        grammar: a GBNF grammar (root rule ``root``) the output must match, or ``None``.
        stop: strings that end the output (not included in it).
        on_text: called from the engine thread with each new piece of text (streaming).
        cancel: set it to stop the job early (finish reason "cancelled").
    """

    prompt: tuple[int, ...]
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 40
    seed: int = 0
    grammar: str | None = None
    stop: tuple[str, ...] = ()
    on_text: Callable[[str], None] | None = None
    cancel: threading.Event | None = None


@dataclass(frozen=True, slots=True)
class GenerationResult:
    """What one job produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


@dataclass(eq=False)
class Group:
    """Jobs admitted together with one prompt; the prompt's KV cells are shared."""

    prompt_len: int
    members: int


@dataclass(eq=False)
class Running:
    """Mutable state of an admitted job."""

    job: GenerationJob
    future: Future[GenerationResult]
    seq: int = -1
    group: Group | None = None
    sampler: Any = None
    n_generated: int = 0
    last_token: int = -1
    text: str = ""
    emitted: int = 0
    decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
