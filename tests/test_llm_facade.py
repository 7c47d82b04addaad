"""The LLM facade on fake backends: caching per sample, budgets, batching, structured output."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pydantic
import pytest

from agent.errors import BudgetExceeded, StructuredOutputError
from agent.llm import LLM, Budget, ResponseCache, ScriptedFakeBackend, UsageMeter


def numbered_replies(request, index: int) -> str:
    """A scripted fake that reveals which sample it produced."""
    return f"sample-{index}-t{request.temperature}"


def test_second_identical_run_makes_no_backend_calls(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    first = ScriptedFakeBackend(numbered_replies)
    texts = [c.text for c in LLM(first, cache=cache).complete("q", n=3, temperature=1.0)]
    second = ScriptedFakeBackend(numbered_replies)
    llm = LLM(second, cache=ResponseCache(tmp_path / "c.sqlite"))
    again = llm.complete("q", n=3, temperature=1.0)
    assert [c.text for c in again] == texts
    assert second.requests == []
    assert all(c.cached for c in again)
    assert llm.usage.snapshot().cache_hits == 3
    assert llm.usage.snapshot().calls == 0


def test_n_samples_are_distinct_cache_entries(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    out = LLM(ScriptedFakeBackend(numbered_replies), cache=cache).complete(
        "q", n=4, temperature=1.0
    )
    assert len({c.text for c in out}) == 4
    assert len(cache) == 4


def test_more_samples_later_only_generates_the_missing_ones(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    LLM(ScriptedFakeBackend(numbered_replies), cache=cache).complete("q", n=2, temperature=1.0)
    backend = ScriptedFakeBackend(numbered_replies)
    out = LLM(backend, cache=cache).complete("q", n=5, temperature=1.0)
    assert [i for _, i in backend.requests] == [2, 3, 4]
    assert [c.sample_index for c in out] == [0, 1, 2, 3, 4]


def test_cache_key_covers_sampling_parameters(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    backend = ScriptedFakeBackend(numbered_replies)
    llm = LLM(backend, cache=cache)
    llm.complete("q", temperature=0.0)
    llm.complete("q", temperature=0.7)
    llm.complete("q", temperature=0.7, max_tokens=9)
    llm.complete("q", temperature=0.7, stop=["\n"])
    llm.complete("q", temperature=0.7, seed=3)
    assert len(backend.requests) == 5


def test_call_budget_stops_at_n_and_keeps_finished_work(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    backend = ScriptedFakeBackend(numbered_replies)
    llm = LLM(backend, cache=cache, usage=UsageMeter(Budget(max_calls=3)))
    done = []
    with pytest.raises(BudgetExceeded) as info:
        for i in range(10):
            done.append(llm.complete(f"question {i}")[0].text)
    assert len(done) == 3
    assert len(backend.requests) == 3
    assert info.value.kind == "calls"
    assert len(cache) == 3


def test_batch_runs_what_fits_the_budget_then_raises(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    backend = ScriptedFakeBackend(numbered_replies, max_concurrency=4)
    llm = LLM(backend, cache=cache, usage=UsageMeter(Budget(max_calls=5)))
    requests = [llm.request(f"q{i}") for i in range(8)]
    with pytest.raises(BudgetExceeded):
        llm.batch(requests)
    assert len(backend.requests) == 5
    assert len(cache) == 5


def test_concurrent_callers_never_exceed_the_call_budget(tmp_path: Path) -> None:
    backend = ScriptedFakeBackend(numbered_replies)
    llm = LLM(
        backend, cache=ResponseCache(tmp_path / "c.sqlite"), usage=UsageMeter(Budget(max_calls=7))
    )
    stopped = []

    def worker(k: int) -> None:
        for i in range(10):
            try:
                llm.complete(f"w{k}-{i}")
            except BudgetExceeded:
                stopped.append(k)
                return

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(backend.requests) == 7
    assert len(stopped) == 4


class Point(pydantic.BaseModel):
    x: int
    y: int


def test_structured_output_repairs_once_then_validates() -> None:
    backend = ScriptedFakeBackend(["I think x is 3", 'Sure: ```json\n{"x": 3, "y": 4}\n```'])
    llm = LLM(backend)
    out = llm.complete("point please", schema=Point)[0]
    assert out.parsed == Point(x=3, y=4)
    assert out.repairs == 1
    assert llm.usage.snapshot().repairs == 1
    repair_prompt = backend.requests[1][0].messages[-1].content
    assert "no JSON object" in repair_prompt


def test_structured_output_gives_a_clear_error_after_the_repair_round() -> None:
    llm = LLM(ScriptedFakeBackend(['{"x": "three"}', '{"x": 3}']))
    with pytest.raises(StructuredOutputError, match="field y"):
        llm.complete("point please", schema=Point)


def test_unconstrained_backend_gets_the_schema_in_the_prompt() -> None:
    backend = ScriptedFakeBackend(['{"x": 1, "y": 2}'])
    LLM(backend).complete("point please", schema=Point)
    request = backend.requests[0][0]
    assert request.json_schema == Point.model_json_schema()
    assert '"required":["x","y"]' in request.messages[-1].content


def test_json_schema_dict_is_accepted() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    out = LLM(ScriptedFakeBackend(['{"a": 5}'])).complete("a?", schema=schema)[0]
    assert out.parsed == {"a": 5}


def test_stream_is_cached_like_complete(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    backend = ScriptedFakeBackend(["streamed text"])
    llm = LLM(backend, cache=cache)
    assert "".join(llm.stream("hi")) == "streamed text"
    assert "".join(llm.stream("hi")) == "streamed text"
    assert len(backend.requests) == 1


def test_acomplete_matches_complete() -> None:
    import asyncio

    llm = LLM(ScriptedFakeBackend(numbered_replies))
    out = asyncio.run(llm.acomplete("q", n=2, temperature=1.0))
    assert [c.sample_index for c in out] == [0, 1]


def test_one_failed_request_in_a_batch_keeps_the_others(tmp_path: Path) -> None:
    def fails_on_q3(request, index: int) -> str:
        if request.messages[-1].content == "q3":
            raise RuntimeError("backend broke on q3")
        return "ok " + request.messages[-1].content

    cache = ResponseCache(tmp_path / "c.sqlite")
    llm = LLM(ScriptedFakeBackend(fails_on_q3, max_concurrency=3), cache=cache)
    with pytest.raises(RuntimeError, match="q3"):
        llm.batch([llm.request(f"q{i}") for i in range(6)])
    assert len(cache) == 5
    usage = llm.usage.snapshot()
    assert (usage.calls, usage.errors) == (6, 1)


def _open_cache_at_barrier(path: str, barrier: Any) -> None:
    from agent.llm._cache import ResponseCache

    barrier.wait()
    ResponseCache(path)._connect().execute("SELECT 1")


def test_processes_opening_a_new_cache_together_all_succeed(tmp_path: Path) -> None:
    """Switching a new file to WAL needs it alone and SQLite does not wait for that; eval
    workers opening one new cache at once used to fail with 'database is locked'."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for trial in range(3):
        barrier = context.Barrier(6)
        path = str(tmp_path / f"cache{trial}.sqlite")
        workers = [context.Process(target=_open_cache_at_barrier, args=(path, barrier))
                   for _ in range(6)]  # fmt: skip
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert [w.exitcode for w in workers] == [0] * 6
