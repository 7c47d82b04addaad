"""Local engine throughput and the LLM facade's own overhead.

Prints, for each local backend installed here (embedded llama.cpp; transformers when the hf
extra is installed): tokens/s single-stream and aggregate at batch 8 and 32, each with its
ratio to the single-stream figure of the same run. Then the facade's overhead per call (time
spent outside the backend) on the instant echo backend, with the cache off, on a cache miss
and on a cache hit.

Targets: single-stream >= 80 tokens/s (embedded), batch-32 aggregate >= 1.5x single-stream,
overhead < 1 ms per call.

Usage:
    python evals/bench/bench_llm.py [--max-tokens 96] [--no-hf] [--hf-max-tokens 24]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence

from agent.llm import LLM, EchoBackend, Request, ResponseCache, load
from agent.llm._types import Completion

TOPICS = [
    "a lighthouse",
    "a dragon",
    "a robot",
    "the ocean",
    "a library",
    "a train",
    "a garden",
    "a mountain",
    "a violin",
    "a city at night",
    "a desert",
    "a snowstorm",
    "a market",
    "a spaceship",
    "a forest",
    "a river",
    "a castle",
    "a bakery",
    "a storm",
    "a clock",
    "an island",
    "a bridge",
    "a volcano",
    "a museum",
    "a harbour",
    "a comet",
    "a meadow",
    "a glacier",
    "a circus",
    "a cathedral",
    "a canyon",
    "a village",
]


def _requests(llm: LLM, count: int, max_tokens: int, offset: int = 0) -> list[Request]:
    return [
        llm.request(
            f"Write a long, detailed story about {TOPICS[(offset + i) % len(TOPICS)]}.",
            max_tokens=max_tokens,
        )
        for i in range(count)
    ]


def _tokens(results: Sequence[Sequence[Completion]]) -> int:
    return sum(c.usage.completion_tokens for comps in results for c in comps)


def bench_engine(name: str, llm: LLM, max_tokens: int, batches: Sequence[int]) -> None:
    """Single-stream and batched tokens/s through the public ``LLM`` API."""
    llm.complete("Say hi.", max_tokens=4)  # load and warm up
    singles = _requests(llm, 3, max_tokens)
    started = time.perf_counter()
    tokens = sum(_tokens([llm.complete(r.messages, max_tokens=max_tokens)]) for r in singles)
    single = tokens / (time.perf_counter() - started)
    print(f"{name:<12} single-stream        {single:8.1f} tokens/s   1.00x")
    for size in batches:
        requests = _requests(llm, size, max_tokens, offset=size)
        started = time.perf_counter()
        tokens = _tokens(llm.batch(requests))
        rate = tokens / (time.perf_counter() - started)
        print(
            f"{name:<12} aggregate batch {size:<4} {rate:8.1f} tokens/s   "
            f"{rate / single:4.2f}x single-stream ({tokens} tokens)"
        )


class _TimedEcho(EchoBackend):
    """The echo backend, timing its own calls so the facade's share can be isolated."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0

    def generate_batch(self, items, *, on_result=None):  # type: ignore[no-untyped-def]  # a timing shim around the parent's generate_batch; the parent holds the types
        started = time.perf_counter()
        try:
            return super().generate_batch(items, on_result=on_result)
        finally:
            self.seconds += time.perf_counter() - started


def _overhead(llm: LLM, backend: _TimedEcho, prompts: Sequence[str]) -> float:
    backend.seconds = 0.0
    started = time.perf_counter()
    for prompt in prompts:
        llm.complete(prompt, max_tokens=16)
    total = time.perf_counter() - started
    return (total - backend.seconds) / len(prompts) * 1000.0


def bench_overhead(calls: int) -> None:
    """Milliseconds per ``LLM.complete`` call spent outside the backend."""
    prompts = [f"Echo this message number {i} back to me, please." for i in range(calls)]
    backend = _TimedEcho()
    plain = LLM(backend)
    _overhead(plain, backend, prompts[:50])
    off = _overhead(plain, backend, prompts)
    with tempfile.TemporaryDirectory() as folder:
        cached = LLM(backend, cache=ResponseCache(os.path.join(folder, "cache.sqlite")))
        miss = _overhead(cached, backend, prompts)
        hit = _overhead(cached, backend, prompts)
    print(f"facade overhead, cache off   {off:7.3f} ms/call  (baseline)")
    print(f"facade overhead, cache miss  {miss:7.3f} ms/call  {miss / off:5.1f}x cache off")
    print(f"facade overhead, cache hit   {hit:7.3f} ms/call  {hit / off:5.1f}x cache off")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--hf-max-tokens", type=int, default=24)
    parser.add_argument("--no-hf", action="store_true", help="skip the transformers backend")
    parser.add_argument("--calls", type=int, default=2000, help="echo calls per overhead case")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    bench_overhead(args.calls)
    bench_engine("llama.cpp", load("local", cache=False), args.max_tokens, (8, 32))
    if not args.no_hf:
        try:
            hf = load(f"hf:{_gguf()}", cache=False)
        except Exception as exc:  # the hf extra is optional
            print(f"transformers  skipped: {exc}")
        else:
            bench_engine("transformers", hf, args.hf_max_tokens, (8, 32))


def _gguf() -> str:
    from agent.llm.backends._embedded import require_embedded_model_path

    return require_embedded_model_path()


if __name__ == "__main__":
    main()
