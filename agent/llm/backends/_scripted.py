"""Fakes for tests and demos: scripted replies and an instant echo. Never a stand-in for a
real model in a test of model behaviour; use them for parsing, prompt rendering and overhead."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from agent.llm._backend import Backend
from agent.llm._types import Completion, Request, Usage

Reply = str | Callable[[Request, int], str]


class ScriptedFakeBackend(Backend):
    """Answers from a script: a list of replies used in order, or a function.

    Args:
        replies: strings handed out in order (the last one repeats when ``repeat_last``), or a
            function ``(request, sample_index) -> str``.
        spec: the spec string to report (part of cache keys).

    Attributes:
        requests: every (request, sample_index) seen, in order, for assertions.

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> llm = LLM(ScriptedFakeBackend(lambda request, i: request.messages[-1].content.upper()))
        >>> llm.complete("shout")[0].text
        'SHOUT'
    """

    def __init__(
        self,
        replies: Iterable[str] | Callable[[Request, int], str],
        *,
        spec: str = "scripted:fake",
        repeat_last: bool = True,
        max_concurrency: int = 1,
    ) -> None:
        self.spec = spec
        self.max_concurrency = max_concurrency
        self._fn = replies if callable(replies) else None
        self._script = [] if callable(replies) else list(replies)
        self._repeat_last = repeat_last
        self._lock = threading.Lock()
        self._next = 0
        self.requests: list[tuple[Request, int]] = []

    def _reply(self, request: Request, index: int) -> str:
        with self._lock:
            self.requests.append((request, index))
            if self._fn is not None:
                return self._fn(request, index)
            if self._next >= len(self._script):
                if self._repeat_last and self._script:
                    return self._script[-1]
                raise IndexError("ScriptedFakeBackend ran out of replies")
            text = self._script[self._next]
            self._next += 1
            return text

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        out = []
        for i in sample_indices:
            text = self._reply(request, i)
            prompt_words = sum(len(m.content.split()) for m in request.messages)
            out.append(
                Completion(
                    text=text,
                    usage=Usage(prompt_words, len(text.split())),
                    sample_index=i,
                )
            )
        return out


class EchoBackend(Backend):
    """Returns the last message's text instantly: measures the framework's own overhead."""

    spec = "echo"

    def __init__(self, *, max_concurrency: int = 1) -> None:
        self.max_concurrency = max_concurrency

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        text = request.messages[-1].content if request.messages else ""
        return [Completion(text=text, usage=Usage(1, 1), sample_index=i) for i in sample_indices]
