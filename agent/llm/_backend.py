"""The one contract every model backend implements."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from agent.llm._types import Completion, Request


class Backend(abc.ABC):
    """A model backend: turns a ``Request`` into ``request.n`` completions.

    Subclasses implement ``generate``; they may override ``generate_batch`` when the engine
    batches many prompts at once, and ``stream`` when it can stream tokens. Backends know
    nothing of caching, budgets or usage accounting: the ``LLM`` facade does that once for all.

    Attributes:
        spec: the model spec string this backend serves, e.g. ``"local"``; never a credential.
        supports_schema: whether ``json_schema`` requests are decoded under a constraint
            (grammar or server-side), so the output is guaranteed to parse.
        max_concurrency: how many requests the facade may send at once.
    """

    spec: str = ""
    supports_schema: bool = False
    max_concurrency: int = 1

    @abc.abstractmethod
    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        """Produce one completion for each sample index, in order.

        Sample ``i`` must be reproducible: the same request and index give the same text
        where the engine allows (use ``request.sample_seed(i)``), and different indices give
        independent samples at temperature > 0.
        """

    def generate_batch(
        self, items: Sequence[tuple[Request, Sequence[int]]]
    ) -> Sequence[list[Completion] | Exception]:
        """Many requests at once; the default runs them on ``max_concurrency`` threads.

        Returns one entry per item: its completions, or the exception that item raised, so
        one failed request does not discard the others' finished work.
        """

        def one(item: tuple[Request, Sequence[int]]) -> list[Completion] | Exception:
            try:
                return self.generate(*item)
            except Exception as exc:
                return exc

        if self.max_concurrency <= 1 or len(items) <= 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(items))) as pool:
            return list(pool.map(one, items))

    def stream(self, request: Request) -> Iterator[str]:
        """Yield text pieces of sample 0; the default yields the whole text once."""
        yield self.generate(request, [0])[0].text

    def describe(self) -> dict[str, str]:
        """What ``optagent models`` shows about this backend."""
        return {"spec": self.spec, "backend": type(self).__name__}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP clients, model memory)."""
