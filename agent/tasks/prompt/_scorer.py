"""The scorer: run a prompt candidate over examples with the scoring model and grade it."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent.llm import LLM
from agent.tasks.prompt._candidate import PromptCandidate, format_messages
from agent.tasks.prompt._task import Example, PromptTask


@dataclass(frozen=True, slots=True)
class ExampleResult:
    """One graded answer."""

    inputs: Mapping[str, str]
    target: str
    output: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": dict(self.inputs),
            "target": self.target,
            "output": self.output,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class EvalResult:
    """A candidate's results on a list of examples.

    Attributes:
        score: mean score (accuracy for 0/1 metrics); 0 for no examples.
        results: one per example, in order.
    """

    score: float
    results: tuple[ExampleResult, ...]

    @property
    def n(self) -> int:
        return len(self.results)

    @property
    def stderr(self) -> float:
        """Standard error of the mean score."""
        if self.n < 2:
            return 0.0
        mean = self.score
        var = sum((r.score - mean) ** 2 for r in self.results) / (self.n - 1)
        return math.sqrt(var / self.n)

    def failures(self) -> list[ExampleResult]:
        """Examples scored below 1 (what reflective rewriting reads)."""
        return [r for r in self.results if r.score < 1.0]


class PromptScorer:
    """Evaluates prompt candidates with one model through ``LLM.batch``.

    Greedy decoding (temperature 0) so a candidate's score is reproducible and cached.

    Args:
        llm: the scoring model (its cache, usage meter and budget apply).
        task: the task (formatting, ``max_tokens`` and metric).
        chunk_size: requests sent per ``batch`` call; a budget stop loses at most one chunk.

    Attributes:
        calls: scorer calls so far: one per (candidate, example) evaluated, cached or not.
    """

    def __init__(self, llm: LLM, task: PromptTask, *, chunk_size: int = 32) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        self.llm = llm
        self.task = task
        self.chunk_size = chunk_size
        self.calls = 0
        self._lock = threading.Lock()

    def outputs(
        self,
        candidate: PromptCandidate,
        examples: Sequence[Example],
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> list[str]:
        """Model outputs for each example under ``candidate`` (counted as scorer calls).

        Args:
            on_chunk: called with the number of examples of each chunk answered (progress).

        Raises:
            BudgetExceeded: the run's budget stopped the scorer; answered chunks are cached.
        """
        return self.outputs_many([(candidate, ex) for ex in examples], on_chunk=on_chunk)

    def outputs_many(
        self,
        pairs: Sequence[tuple[PromptCandidate, Example]],
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> list[str]:
        """Outputs for ``(candidate, example)`` pairs of any candidates, batched together.

        Racing sends a whole rung (every surviving candidate's new examples) at once, so the
        model's batch stays full. Raises ``BudgetExceeded`` like ``outputs``.
        """
        texts: list[str] = []
        for start in range(0, len(pairs), self.chunk_size):
            chunk = pairs[start : start + self.chunk_size]
            requests = [
                LLM.request(
                    format_messages(self.task, candidate, ex.inputs),
                    temperature=0.0,
                    max_tokens=self.task.max_tokens,
                    stop=self.task.stop or None,
                )
                for candidate, ex in chunk
            ]
            replies = self.llm.batch(requests)
            with self._lock:
                self.calls += len(chunk)
            texts.extend(reply[0].text for reply in replies)
            if on_chunk is not None:
                on_chunk(len(chunk))
        return texts

    def grade(self, examples: Sequence[Example], texts: Sequence[str]) -> EvalResult:
        """Grade outputs already produced for ``examples``."""
        results = tuple(
            ExampleResult(
                inputs=ex.inputs,
                target=ex.target,
                output=text,
                score=self.task.score(text, ex.target),
            )
            for ex, text in zip(examples, texts, strict=True)
        )
        score = sum(r.score for r in results) / len(results) if results else 0.0
        return EvalResult(score=score, results=results)

    def evaluate(
        self,
        candidate: PromptCandidate,
        examples: Sequence[Example],
        *,
        on_chunk: Callable[[int], None] | None = None,
    ) -> EvalResult:
        """Grade ``candidate`` on ``examples``; raises ``BudgetExceeded`` like ``outputs``."""
        return self.grade(examples, self.outputs(candidate, examples, on_chunk=on_chunk))

    def per_example(self, candidate: PromptCandidate, examples: Sequence[Example]) -> list[float]:
        """Per-example scores (the shape racing needs)."""
        return [r.score for r in self.evaluate(candidate, examples).results]
