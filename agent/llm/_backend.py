"""The one contract every model backend implements."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed

from agent.llm._types import Completion, Request

ItemResult = list[Completion] | Exception
ResultCallback = Callable[[int, ItemResult], None]
"""Called with (item position, its completions or error) as each batch item finishes, on the
caller's thread, so finished work can be cached before the rest of the batch is done."""


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
        self,
        items: Sequence[tuple[Request, Sequence[int]]],
        *,
        on_result: ResultCallback | None = None,
    ) -> Sequence[ItemResult]:
        """Many requests at once; the default runs them on ``max_concurrency`` threads.

        Returns one entry per item: its completions, or the exception that item raised, so
        one failed request does not discard the others' finished work. ``on_result`` hears
        of each item as soon as it is done (a kill mid-batch then loses only unfinished items).
        """

        def one(item: tuple[Request, Sequence[int]]) -> ItemResult:
            try:
                return self.generate(*item)
            except Exception as exc:
                return exc

        out: dict[int, ItemResult] = {}

        def finished(pos: int, result: ItemResult) -> None:
            out[pos] = result
            if on_result is not None:
                on_result(pos, result)

        if self.max_concurrency <= 1 or len(items) <= 1:
            for pos, item in enumerate(items):
                finished(pos, one(item))
        else:
            workers = min(self.max_concurrency, len(items))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(one, item): pos for pos, item in enumerate(items)}
                for future in as_completed(futures):
                    finished(futures[future], future.result())
        return [out[pos] for pos in range(len(items))]

    def stream(self, request: Request) -> Iterator[str]:
        """Yield text pieces of sample 0; the default yields the whole text once."""
        yield self.generate(request, [0])[0].text

    def describe(self) -> dict[str, str]:
        """What ``optagent models`` shows about this backend."""
        return {"spec": self.spec, "backend": type(self).__name__}

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP clients, model memory)."""
