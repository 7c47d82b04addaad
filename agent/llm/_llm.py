"""The ``LLM`` facade: one model-access interface over every backend.

It owns what every backend shares: the response cache, usage accounting, budgets and
structured output with one repair round. Backends only generate text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pydantic

import prompts
from agent.errors import BudgetExceeded, ParseError, StructuredOutputError
from agent.llm._backend import Backend, ItemResult
from agent.llm._cache import ResponseCache
from agent.llm._structured import Schema
from agent.llm._types import Completion, Message, MessagesLike, Request, request_of
from agent.llm._usage import UsageMeter

SchemaLike = type[pydantic.BaseModel] | Mapping[str, Any]


class LLM:
    """A model with its cache, usage meter and budget.

    Args:
        backend: the engine that generates text.
        cache: a response cache, or ``None`` to always call the backend.
        usage: the run's usage meter (carries the budget); a fresh one if omitted.

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> llm = LLM(ScriptedFakeBackend(["hello"]))
        >>> llm.complete("Say hello")[0].text
        'hello'
    """

    def __init__(
        self,
        backend: Backend,
        *,
        cache: ResponseCache | None = None,
        usage: UsageMeter | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.usage = usage or UsageMeter()

    @property
    def spec(self) -> str:
        return self.backend.spec

    @property
    def identity(self) -> str:
        """The model's identity in cache keys: the spec, plus the hash of any adapter file, so
        no answer of one model (or adapter) is ever replayed as another's."""
        return str(getattr(self.backend, "identity", self.backend.spec))

    def __repr__(self) -> str:
        return f"LLM({self.spec!r})"

    # -- plain completions -------------------------------------------------------------

    def complete(
        self,
        messages: MessagesLike,
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | str | None = None,
        seed: int | None = None,
        schema: SchemaLike | None = None,
    ) -> list[Completion]:
        """Return ``n`` completions; with ``schema``, each carries a validated ``parsed``.

        Raises:
            BudgetExceeded: a hard budget is reached before the needed backend calls.
            StructuredOutputError: a sample did not match ``schema`` after one repair round.
            LLMError: the backend failed after its retries.
        """
        target = Schema(schema) if schema is not None else None
        request = self._request(messages, n, temperature, max_tokens, stop, seed, target)
        completions = self._run([request])[0]
        if target is None:
            return completions
        return [self._parse_or_repair(request, c, target) for c in completions]

    async def acomplete(self, messages: MessagesLike, **options: Any) -> list[Completion]:
        """Async twin of ``complete`` (runs in a worker thread)."""
        return await asyncio.to_thread(self.complete, messages, **options)

    def batch(
        self, requests: Sequence[Request], *, schema: SchemaLike | None = None
    ) -> list[list[Completion]]:
        """Many requests at once, batched where the backend can batch.

        Build requests with ``LLM.request(...)``. On a budget stop the requests that fit are
        still run and cached before ``BudgetExceeded`` is raised.
        """
        target = Schema(schema) if schema is not None else None
        if target is not None:
            requests = [self._with_schema(r, target) for r in requests]
        results = self._run(list(requests))
        if target is None:
            return results
        return [
            [self._parse_or_repair(req, c, target) for c in comps]
            for req, comps in zip(requests, results, strict=True)
        ]

    def stream(self, messages: MessagesLike, **options: Any) -> Iterator[str]:
        """Yield the text of one completion as it is generated; a cached answer comes whole."""
        request = request_of(messages, **options)
        if self.cache is not None:
            hit = self.cache.get_many(self.identity, request, [0])
            if 0 in hit:
                self.usage.record_cache_hits(1)
                yield hit[0].text
                return
        self.usage.reserve_call()
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self.backend.stream(request):
                pieces.append(piece)
                yield piece
        except Exception:
            self.usage.record_call(
                self.spec,
                self._model_name,
                prompt_tokens=0,
                completion_tokens=0,
                seconds=time.perf_counter() - started,
                failed=True,
            )
            raise
        except BaseException:
            self.usage.release_call()
            raise
        text = "".join(pieces)
        completion = Completion(text=text, latency_s=time.perf_counter() - started)
        self.usage.record_call(
            self.spec,
            self._model_name,
            prompt_tokens=0,
            completion_tokens=max(1, len(text) // 4),
            seconds=completion.latency_s,
        )
        if self.cache is not None:
            self.cache.put_many(self.identity, request, [completion])

    @staticmethod
    def request(messages: MessagesLike, **options: Any) -> Request:
        """Build a validated ``Request`` (see ``complete`` for the options)."""
        return request_of(messages, **options)

    # -- internals --------------------------------------------------------------------

    @property
    def _model_name(self) -> str:
        return getattr(self.backend, "model_name", self.spec)

    def _request(
        self,
        messages: MessagesLike,
        n: int,
        temperature: float,
        max_tokens: int,
        stop: Sequence[str] | str | None,
        seed: int | None,
        target: Schema | None,
    ) -> Request:
        request = request_of(
            messages, n=n, temperature=temperature, max_tokens=max_tokens, stop=stop, seed=seed
        )
        return self._with_schema(request, target) if target is not None else request

    def _with_schema(self, request: Request, target: Schema) -> Request:
        """Attach the schema; unconstrained backends also get it spelled out in the prompt."""
        messages = request.messages
        if not self.backend.supports_schema:
            instruction = prompts.render("structured/instruction", schema=target.dumps())
            messages = (*messages, Message("user", instruction))
        return Request(
            messages=messages,
            n=request.n,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            stop=request.stop,
            seed=request.seed,
            json_schema=target.json_schema,
            top_p=request.top_p,
        )

    def _run(self, requests: list[Request]) -> list[list[Completion]]:
        """Answer each request from the cache where possible, the backend for the rest."""
        results: list[dict[int, Completion]] = []
        pending: list[tuple[int, Request, list[int]]] = []
        for pos, request in enumerate(requests):
            wanted = list(range(request.n))
            hits = self.cache.get_many(self.identity, request, wanted) if self.cache else {}
            if hits:
                self.usage.record_cache_hits(len(hits))
            results.append(dict(hits))
            missing = [i for i in wanted if i not in hits]
            if missing:
                pending.append((pos, request, missing))

        stopped: BudgetExceeded | None = None
        failure: Exception | None = None
        runnable: list[tuple[int, Request, list[int]]] = []
        for item in pending:
            try:
                self.usage.reserve_call()
            except BudgetExceeded as exc:
                stopped = exc
                break
            runnable.append(item)

        if runnable:
            failure = self._generate(runnable, results)

        if failure is not None:
            raise failure
        if stopped is not None:
            raise stopped
        return [[by_index[i] for i in sorted(by_index)] for by_index in results]

    def _generate(
        self, runnable: list[tuple[int, Request, list[int]]], results: list[dict[int, Completion]]
    ) -> Exception | None:
        """Send the runnable requests as one backend batch; account for and cache each one as
        it finishes, so a kill mid-batch never pays again for finished requests. Returns the
        error of the first failed item in batch order."""
        failures: dict[int, Exception] = {}
        reported: set[int] = set()
        clock = [time.perf_counter()]

        def on_result(slot: int, completions: ItemResult) -> None:
            if slot in reported:
                return
            reported.add(slot)
            now = time.perf_counter()
            seconds, clock[0] = now - clock[0], now
            pos, request, _ = runnable[slot]
            if isinstance(completions, Exception):
                self.usage.record_call(
                    self.spec,
                    self._model_name,
                    prompt_tokens=0,
                    completion_tokens=0,
                    seconds=seconds,
                    failed=True,
                )
                failures[slot] = completions
                return
            self.usage.record_call(
                self.spec,
                self._model_name,
                prompt_tokens=sum(c.usage.prompt_tokens for c in completions),
                completion_tokens=sum(c.usage.completion_tokens for c in completions),
                seconds=seconds,
            )
            if self.cache is not None:
                self.cache.put_many(self.identity, request, completions)
            for c in completions:
                results[pos][c.sample_index] = c

        try:
            outputs = self.backend.generate_batch(
                [(req, idx) for _, req, idx in runnable], on_result=on_result
            )
        except BaseException:
            for _ in range(len(runnable) - len(reported)):
                self.usage.release_call()
            raise
        for slot, completions in enumerate(outputs):
            on_result(slot, completions)  # items the backend did not report as they finished
        return failures[min(failures)] if failures else None

    def _parse_or_repair(
        self, request: Request, completion: Completion, target: Schema
    ) -> Completion:
        try:
            return _with_parsed(completion, target.parse(completion.text), repairs=0)
        except ParseError as first_error:
            reason = str(first_error)
        self.usage.record_repair()
        repair = Request(
            messages=(
                *request.messages,
                Message("assistant", completion.text),
                Message(
                    "user", prompts.render("structured/repair", error=reason, schema=target.dumps())
                ),
            ),
            n=1,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            stop=request.stop,
            seed=request.seed if request.seed is None else request.seed + completion.sample_index,
            json_schema=request.json_schema,
            top_p=request.top_p,
        )
        fixed = self._run([repair])[0][0]
        try:
            parsed = target.parse(fixed.text)
        except ParseError as second_error:
            raise StructuredOutputError(
                f"no valid JSON object after one repair round: {second_error}",
                model=self.spec,
                text=fixed.text,
                finish_reason=fixed.finish_reason,
            ) from None
        return _with_parsed(fixed, parsed, repairs=1, sample_index=completion.sample_index)


def _with_parsed(
    completion: Completion, parsed: Any, *, repairs: int, sample_index: int | None = None
) -> Completion:
    return Completion(
        text=completion.text,
        parsed=parsed,
        usage=completion.usage,
        cached=completion.cached,
        latency_s=completion.latency_s,
        finish_reason=completion.finish_reason,
        sample_index=completion.sample_index if sample_index is None else sample_index,
        repairs=repairs,
    )
